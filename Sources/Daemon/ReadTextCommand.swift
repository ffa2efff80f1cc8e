import ArgumentParser
import Contracts
import Foundation
import Media
import TextRecognition

/// `ocr`: the text in local pictures, read the way the `ocr` stage reads attachments. Runs in this process.
struct ReadTextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ocr",
        abstract: "Read the text in local pictures (or a video's first frame).",
        discussion: "Example: drsocial-intake ocr caption.png --json"
    )

    @Argument(help: "Picture files.")
    var paths: [String]

    @Flag(help: "Print the result as JSON (one reading or error per file).")
    var json = false

    @Option(help: "Tesseract's CPU seconds per picture, as the stage's budget_seconds.")
    var budgetSeconds = OCRBudget().cpuSeconds

    @Option(help: "Wall-clock seconds per picture (Tesseract's monitor deadline), as the stage's deadline_seconds; 0 for none.")
    var deadlineSeconds = OCRBudget().deadlineSeconds ?? 0

    @Flag(help: .hidden)
    var readEveryPage = false

    func validate() throws {
        guard budgetSeconds > 0, deadlineSeconds >= 0 else { throw ValidationError("the budget must be positive and the deadline not negative") }
    }

    func run() throws {
        // As in the media worker: one thread per call. Nothing else runs yet, so setenv is safe here.
        setenv("OMP_THREAD_LIMIT", "1", 0)
        let budget = OCRBudget(cpuSeconds: budgetSeconds, deadlineSeconds: deadlineSeconds > 0 ? deadlineSeconds : nil)
        // --read-every-page with a large budget and no deadline reads the way OCR did before either existed.
        let answers = try TextRecognizer.readAll(paths: paths, limits: MediaLimits(), budget: budget, readsEveryPage: readEveryPage)
        if json {
            try printJSON(answers)
            return
        }
        for (path, answer) in zip(paths, answers) {
            guard let reading = answer.result else {
                print("\(path): error: \(answer.error ?? "unreadable")")
                continue
            }
            print("\(path): \(reading.blocks.count) block\(reading.blocks.count == 1 ? "" : "s")")
            for block in reading.blocks {
                print(
                    String(
                        format: "  [%3.0f%%] %@  (%d,%d %dx%d, %@)",
                        block.confidence,
                        block.text,
                        block.x,
                        block.y,
                        block.width,
                        block.height,
                        block.method
                    )
                )
            }
            for note in reading.notes ?? [] { print("  note: \(note)") }
        }
    }
}
