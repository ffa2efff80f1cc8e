import Foundation
import Media
import Pipeline
import Reels
import TestSupport

/// Templates, jobs and the ffmpeg CLI as an independent judge of what the composer wrote.
enum ReelFixtures {
    static let platforms: PlatformPresets = try! PlatformPresets.load(
        from: TestEnvironment.pipelinesDirectory.appending(path: "platforms.yaml")
    )
    static let templates: ReelTemplates = try! ReelTemplates.load(
        from: TestEnvironment.pipelinesDirectory.appending(path: "reels"),
        platforms: platforms
    )

    static func job(_ name: String, output: URL, configure: (inout ReelJob) -> Void = { _ in }) -> ReelJob {
        let template = templates[name]!
        var job = ReelJob(template: template, platform: platforms[template.platform], output: output.path)
        configure(&job)
        return job
    }

    /// `ffprobe`'s view of the streams: (codec, width, height, fps, duration) per stream type.
    struct Stream {
        let codec: String
        let width: Int?
        let height: Int?
        let fps: Double?
        let duration: Double
    }

    static func ffprobe(_ file: URL) throws -> [String: Stream] {
        let output = try run("ffprobe", ["-v", "error", "-show_streams", "-of", "json", file.path])
        let document = try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: Any]
        var streams: [String: Stream] = [:]
        for stream in document["streams"] as? [[String: Any]] ?? [] {
            let type = stream["codec_type"] as? String ?? ""
            var fps: Double?
            if let rate = stream["r_frame_rate"] as? String {
                let parts = rate.split(separator: "/").compactMap { Double($0) }
                if parts.count == 2, parts[1] > 0, parts[0] > 0 { fps = parts[0] / parts[1] }
            }
            streams[type] = Stream(
                codec: stream["codec_name"] as? String ?? "",
                width: stream["width"] as? Int,
                height: stream["height"] as? Int,
                fps: fps,
                duration: Double(stream["duration"] as? String ?? "") ?? -1
            )
        }
        return streams
    }

    /// Integrated loudness (LUFS) and true peak (dBTP) measured by the ffmpeg CLI's `ebur128` filter.
    static func ebur128(_ file: URL) throws -> (integrated: Double, truePeak: Double) {
        let output = try run("ffmpeg", ["-nostats", "-hide_banner", "-i", file.path, "-af", "ebur128=peak=true", "-f", "null", "-"], stderr: true)
        guard let summary = output.range(of: "Summary:") else { throw ReelTestError("no ebur128 summary: \(output.suffix(500))") }
        let tail = output[summary.upperBound...]
        func value(after label: String) -> Double? {
            guard let range = tail.range(of: label) else { return nil }
            let rest = tail[range.upperBound...].trimmingCharacters(in: .whitespaces)
            return Double(rest.prefix { "-0123456789.".contains($0) })
        }
        guard let integrated = value(after: "I:"), let peak = value(after: "Peak:") else { throw ReelTestError("unreadable ebur128 summary") }
        return (integrated, peak)
    }

    /// One frame at `seconds`, decoded by the ffmpeg CLI, as an RGB picture.
    static func frame(_ file: URL, at seconds: Double) throws -> RGBImage {
        let png = FileManager.default.temporaryDirectory.appending(path: "reel-frame-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: png) }
        _ = try run("ffmpeg", ["-v", "error", "-y", "-i", file.path, "-ss", String(format: "%.3f", seconds), "-frames:v", "1", png.path])
        return try FrameGrabber.firstPicture(path: png.path, limits: MediaLimits())
    }

    @discardableResult
    /// Each frame's PSNR (all planes, dB) between two videos of the same size, in order; infinity for an
    /// identical frame.
    static func framePSNR(_ a: URL, _ b: URL) throws -> [Double] {
        let stats = try TestEnvironment.temporaryDirectory("psnr").appending(path: "stats.txt")
        defer { try? FileManager.default.removeItem(at: stats.deletingLastPathComponent()) }
        _ = try run(
            "ffmpeg",
            ["-v", "error", "-i", a.path, "-i", b.path, "-lavfi", "[0:v][1:v]psnr=stats_file=\(stats.path)", "-f", "null", "-"]
        )
        let text = try String(contentsOf: stats, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard let field = line.split(separator: " ").first(where: { $0.hasPrefix("psnr_avg:") }) else { return nil }
            let value = field.dropFirst("psnr_avg:".count)
            return value == "inf" ? .infinity : Double(value)
        }
    }

    static func run(_ tool: String, _ arguments: [String], stderr: Bool = false) throws -> String {
        let run = try TestProgram.run(URL(filePath: "/usr/bin/\(tool)"), arguments)
        guard run.status == 0 else { throw ReelTestError("\(tool) failed: \(run.standardError.suffix(800))") }
        return stderr ? run.standardError : run.standardOutput
    }
}

struct ReelTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
