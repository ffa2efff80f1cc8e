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

    func run() throws {
        // As in the media worker: one thread per call. Nothing else runs yet, so setenv is safe here.
        setenv("OMP_THREAD_LIMIT", "1", 0)
        let answers = try TextRecognizer.readAll(paths: paths, limits: MediaLimits())
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
        }
    }
}
