public import Contracts
public import Domain
public import Foundation
public import Isolation
public import Media
public import Pipeline

/// `ocr`: text on screen. Images are read directly; videos through their keyframes (the `keyframes`
/// stage), each keyframe's text kept under its scene and the same text on consecutive scenes kept once.
/// Runs libtesseract in the media worker, like every other C library that reads attachment bytes.
/// Each picture is held to an `OCRBudget`: one that reaches it keeps the text read so far, and the
/// output's `notes` (and the summary) say it was cut; the stage still succeeds.
public struct OCRStage: Stage {
    public struct Configuration: StageConfiguration {
        /// Largest picture read. Default 8192 px.
        public var maxDimension = 8192
        /// Tesseract's CPU time per picture (`OCRBudget.cpuSeconds`). Default 2.5 s.
        public var budgetSeconds = OCRBudget().cpuSeconds
        /// Wall clock per picture, Tesseract's monitor deadline (`OCRBudget.deadlineSeconds`); 0 for none (the
        /// default: what is read then does not depend on how busy the machine is).
        public var deadlineSeconds = 0.0

        public static let options: [StageOption<Self>] = [
            .init("max_dimension", \.maxDimension),
            .init("budget_seconds", \.budgetSeconds),
            .init("deadline_seconds", \.deadlineSeconds),
        ]
        public init() {}
        public func validate() throws {
            guard maxDimension > 0 else { throw Self.invalid("must be positive", at: \.maxDimension) }
            guard budgetSeconds > 0 else { throw Self.invalid("must be positive", at: \.budgetSeconds) }
            guard deadlineSeconds >= 0 else { throw Self.invalid("must be 0 (none) or positive", at: \.deadlineSeconds) }
        }

        var budget: OCRBudget { OCRBudget(cpuSeconds: budgetSeconds, deadlineSeconds: deadlineSeconds > 0 ? deadlineSeconds : nil) }
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
        let limits = MediaLimits { $0.maxDimension = configuration.maxDimension }
        if attachment.mime.hasPrefix("image/") {
            let reading = try await worker.recognizeText(files: [file], limits: limits, budget: configuration.budget)[0].get()
            return StageResult(
                summary: Self.summary(reading.text, blocks: reading.blocks.count) + Self.cut(reading.notes == nil ? 0 : 1),
                output: OnScreenText(text: reading.text, blocks: reading.blocks, scenes: nil, notes: reading.notes)
            )
        }
        guard let keyframes = try context.output(of: KeyframesStage.self, for: attachment) else {
            throw StageFailure("the keyframes stage did not succeed for this video, so there are no frames to read")
        }
        var files: [URL] = []
        for keyframe in keyframes.keyframes { files.append(try await keyframeFile(keyframe.image)) }
        let readings = try await worker.recognizeText(files: files, limits: limits, budget: configuration.budget)
        var scenes: [OnScreenText.SceneText] = []
        var notes: [String] = []
        var previous = ""
        for (keyframe, reading) in zip(keyframes.keyframes, readings) {
            let text = try reading.get().text
            notes += (try reading.get().notes ?? []).map { "scene \(keyframe.scene) keyframe: \($0)" }
            let normalized = Self.normalize(text)
            defer { previous = normalized }
            guard !normalized.isEmpty, normalized != previous else { continue }
            scenes.append(OnScreenText.SceneText(scene: keyframe.scene, seconds: keyframe.seconds, text: text, blocks: try reading.get().blocks))
        }
        var seen = Set<String>()
        let text = scenes.map(\.text).filter { seen.insert(Self.normalize($0)).inserted }.joined(separator: "\n")
        let cutFrames = try readings.filter { try $0.get().notes != nil }.count
        return StageResult(
            summary: Self.summary(text, blocks: scenes.count) + " in \(keyframes.keyframes.count) keyframes" + Self.cut(cutFrames),
            output: OnScreenText(text: text, blocks: nil, scenes: scenes, notes: notes.isEmpty ? nil : notes)
        )
    }

    /// The summary's mention of pictures whose reading stopped at the CPU budget or the deadline.
    static func cut(_ pictures: Int) -> String {
        switch pictures {
        case 0: ""
        case 1: "; OCR stopped at its limit, the text before kept (see notes)"
        default: "; OCR stopped at its limit in \(pictures) pictures, the text before kept (see notes)"
        }
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

    func get() throws -> RecognizedText {
        if let result { return result }
        throw StageFailure(error ?? "the picture could not be read")
    }
}

/// `ocr`: the text of each picture, with the Tesseract the child kept.
public enum ReadTextTask: WarmableTask {
    public struct Input: Codable, Sendable {
        public var paths: [String]
        public var limits: MediaLimits
        public var budget: OCRBudget
    }
    public static let verb = "ocr"
    public static func perform(_ input: Input) throws -> [TextReadingAnswer] {
        try TextRecognizer.readAll(paths: input.paths, limits: input.limits, budget: input.budget)
    }
    /// Loads Tesseract's English model (0.13 s) for the child's first reading.
    public static func warmUp() throws { try TextRecognizer.reused.use { _ in } }
}

extension IsolatedWorkers {
    /// Reads the text of each file in one worker child (Tesseract loads its model once), each held to `budget`.
    public func recognizeText(files: [URL], limits: MediaLimits, budget: OCRBudget) async throws -> [TextReadingAnswer] {
        let answers = try await run(ReadTextTask.self, .init(paths: files.map(\.path), limits: limits, budget: budget))
        guard answers.count == files.count else { throw StageFailure("the media worker read \(answers.count) of \(files.count) pictures") }
        return answers
    }
}

extension TextRecognizer {
    /// The recognizer this process keeps between tasks (a warm media child loads Tesseract's model once).
    static let reused = ReusedEngines { try TextRecognizer() }

    /// Reads every file; a file that cannot be read gets its error, the others their text, each held to
    /// `budget` on its own. Runs in the worker, with the recognizer it kept from its last task.
    public static func readAll(
        paths: [String],
        limits: MediaLimits,
        budget: OCRBudget = OCRBudget(),
        readsEveryPage: Bool = false
    ) throws -> [TextReadingAnswer] {
        try reused.use { recognizer in
            recognizer.readsEveryPage = readsEveryPage
            return paths.map { path in
                do {
                    return TextReadingAnswer(result: try recognizer.recognize(path: path, limits: limits, budget: budget), error: nil)
                } catch {
                    return TextReadingAnswer(result: nil, error: String(describing: error))
                }
            }
        }
    }
}
