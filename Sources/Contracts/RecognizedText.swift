/// Text found in one picture.
public struct RecognizedText: Sendable, Codable, Equatable {
    /// A block of text (a caption line or a region of a page) with its confidence and where it is.
    public struct Block: Sendable, Codable, Equatable {
        public var text: String
        /// Mean word confidence, 0–100.
        public var confidence: Double
        public var x: Int, y: Int, width: Int, height: Int
        /// How it was read: `caption` (a colour band, with the text colour), `caption box` or `page` (the whole picture).
        public var method: String

        public init(text: String, confidence: Double, x: Int, y: Int, width: Int, height: Int, method: String) {
            self.text = text
            self.confidence = confidence
            self.x = x
            self.y = y
            self.width = width
            self.height = height
            self.method = method
        }
    }

    /// Blocks top to bottom.
    public var blocks: [Block]
    public var width: Int
    public var height: Int
    /// Why the reading may be incomplete (OCR stopped at its budget or deadline, text read before the
    /// stop kept); nil when it is not.
    public var notes: [String]?

    public init(blocks: [Block], width: Int, height: Int, notes: [String]? = nil) {
        self.blocks = blocks
        self.width = width
        self.height = height
        self.notes = notes
    }

    /// All blocks' text, one line per block.
    public var text: String { blocks.map(\.text).joined(separator: "\n") }
}
