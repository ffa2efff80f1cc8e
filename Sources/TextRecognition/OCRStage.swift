public import Contracts
public import Domain
public import Foundation
public import Isolation
public import Media
public import Pipeline

/// `ocr`: text on screen. Images are read directly; videos through their keyframes (the `keyframes`
/// stage), each keyframe's text kept under its scene and the same text on consecutive scenes kept once.
/// Runs libtesseract in the media worker, like every other C library that reads attachment bytes.
public struct OCRStage: Stage {
    public struct Configuration: StageConfiguration {
        public var maxDimension = 8192
        public static let options: [StageOption<Self>] = [.init("max_dimension", \.maxDimension)]
        public init() {}
        public func validate() throws {
            guard maxDimension > 0 else { throw Self.invalid("must be positive", at: \.maxDimension) }
        }
    }

    public static let kind = "ocr"
    public static let scope = StageScope.attachment
    public static let reads: [StageRead] = [.required(KeyframeList.self)]

    let configuration: Configuration
    let worker: MediaWorkerClient
    let keyframeFile: @Sendable (String) async throws -> URL

    /// - Parameter keyframeFile: a local file for a keyframe's blob path.
    public init(configuration: Configuration, worker: MediaWorkerClient, keyframeFile: @escaping @Sendable (String) async throws -> URL) {
        self.configuration = configuration
        self.worker = worker
        self.keyframeFile = keyframeFile
    }

    public func accepts(_ attachment: AttachmentSnapshot) -> Bool {
        attachment.mime.hasPrefix("image/") || attachment.mime.hasPrefix("video/")
    }

    public func run(_ context: StageContext) async throws -> StageResult<OnScreenText> {
        let (attachment, file) = try context.attachmentAndFile()
        let limits = MediaLimits(maxDimension: configuration.maxDimension)
        if attachment.mime.hasPrefix("image/") {
            let reading = try await worker.recognizeText(files: [file], limits: limits)[0].get()
            return StageResult(
                summary: Self.summary(reading.text, blocks: reading.blocks.count),
                output: OnScreenText(text: reading.text, blocks: reading.blocks, scenes: nil)
            )
        }
        guard let keyframes = try context.output(of: KeyframesStage.self, for: attachment) else {
            throw StageFailure("the keyframes stage did not succeed for this video, so there are no frames to read")
        }
        var files: [URL] = []
        for keyframe in keyframes.keyframes { files.append(try await keyframeFile(keyframe.image)) }
        let readings = try await worker.recognizeText(files: files, limits: limits)
        var scenes: [OnScreenText.SceneText] = []
        var previous = ""
        for (keyframe, reading) in zip(keyframes.keyframes, readings) {
            let text = try reading.get().text
            let normalized = Self.normalize(text)
            defer { previous = normalized }
            guard !normalized.isEmpty, normalized != previous else { continue }
            scenes.append(OnScreenText.SceneText(scene: keyframe.scene, seconds: keyframe.seconds, text: text, blocks: try reading.get().blocks))
        }
        var seen = Set<String>()
        let text = scenes.map(\.text).filter { seen.insert(Self.normalize($0)).inserted }.joined(separator: "\n")
        return StageResult(
            summary: Self.summary(text, blocks: scenes.count) + " in \(keyframes.keyframes.count) keyframes",
            output: OnScreenText(text: text, blocks: nil, scenes: scenes)
        )
    }

    static func normalize(_ text: String) -> String {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: " ")
    }

    static func summary(_ text: String, blocks: Int) -> String {
        guard !text.isEmpty else { return "no text" }
        let words = text.split { $0.isWhitespace }.count
        return "\(words) word\(words == 1 ? "" : "s") in \(blocks) block\(blocks == 1 ? "" : "s")"
    }
}

/// One file's reading, or why it could not be read.
public struct TextReadingAnswer: Sendable, Codable {
    public var result: RecognizedText?
    public var error: String?

    public init(result: RecognizedText?, error: String?) {
        self.result = result
        self.error = error
    }

    func get() throws -> RecognizedText {
        if let result { return result }
        throw StageFailure(error ?? "the picture could not be read")
    }
}

/// `ocr`: the text of each picture, with one Tesseract for all of them.
public enum ReadTextTask: IsolatedTask {
    public struct Input: Codable, Sendable {
        public var paths: [String]
        public var limits: MediaLimits
    }
    public static let verb = "ocr"
    public static func perform(_ input: Input) throws -> [TextReadingAnswer] {
        try TextRecognizer.readAll(paths: input.paths, limits: input.limits)
    }
}

extension IsolatedWorkers {
    /// Reads the text of each file in one worker child (Tesseract loads its model once).
    public func recognizeText(files: [URL], limits: MediaLimits) async throws -> [TextReadingAnswer] {
        let answers = try await run(ReadTextTask.self, .init(paths: files.map(\.path), limits: limits))
        guard answers.count == files.count else { throw StageFailure("the media worker read \(answers.count) of \(files.count) pictures") }
        return answers
    }
}

extension TextRecognizer {
    /// Reads every file; a file that cannot be read gets its error, the others their text. Runs in the worker.
    public static func readAll(paths: [String], limits: MediaLimits) throws -> [TextReadingAnswer] {
        let recognizer = try TextRecognizer()
        return paths.map { path in
            do {
                return TextReadingAnswer(result: try recognizer.recognize(path: path, limits: limits), error: nil)
            } catch {
                return TextReadingAnswer(result: nil, error: String(describing: error))
            }
        }
    }
}
