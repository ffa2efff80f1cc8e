extension String {
    /// The string cut into consecutive pieces of at most `maxLength` characters, in about `count` pieces
    /// (at least one, even for the empty string): how a streamed answer sends text and JSON in parts.
    func pieces(count: Int = 3, maxLength: Int = 16) -> [String] {
        let characters = Array(self)
        guard !characters.isEmpty else { return [""] }
        let length = Swift.max(1, Swift.min(maxLength, (characters.count + count - 1) / count))
        return stride(from: 0, to: characters.count, by: length).map {
            String(characters[$0..<Swift.min($0 + length, characters.count)])
        }
    }
}
