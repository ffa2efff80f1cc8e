import ArgumentParser
import Contracts
import Foundation
import Media

/// `analyze`: scene detection on a local video, for operators tuning thresholds. Runs in this process.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Find the scenes of a local video file.",
        discussion: "Example: drsocial-intake analyze clip.mp4 --stats clip.csv (per-frame scores, to tune thresholds)"
    )

    @Argument(help: "The video file.")
    var path: String

    @Option(help: "The hard-cut detector: adaptive or content.")
    var detector = "adaptive"

    @Option(help: "The longer side frames are scaled to before comparing, in pixels (the scenes stage's analysis_width).")
    var analysisWidth = 256

    @Option(help: "Write per-frame scores as CSV to this file.")
    var stats: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(help: .hidden)
    var decodeOnly = false

    func run() throws {
        if decodeOnly {
            print("\(try DecodeFloor.countFrames(path: path)) frames decoded")
            return
        }
        let analyzer = SceneAnalyzer(cutDetector: detector, analysisWidth: analysisWidth)
        let result: SceneAnalyzer.Result
        do {
            result = try analyzer.analyze(path: path)
            if let stats { try analyzer.statisticsCSV(path: path).write(toFile: stats, atomically: true, encoding: .utf8) }
        } catch let error as FFmpegError {
            throw AnalyzeError(description: "\(path): \(error)")
        }
        if json {
            try printJSON(result)
            return
        }
        print("\(result.frameCount) frames, \(result.scenes.count) scenes")
        for transition in result.transitions {
            print(
                String(
                    format: "  %@ at frame %d (%.2f s), score %.1f",
                    transition.kind.rawValue,
                    transition.frame,
                    transition.seconds,
                    transition.score
                )
            )
        }
        if let stats { print("per-frame scores written to \(stats)") }
    }
}

/// A file `analyze` could not read; printed as `Error: <file>: <reason>`, without the usage text.
struct AnalyzeError: Error, CustomStringConvertible {
    let description: String
}
