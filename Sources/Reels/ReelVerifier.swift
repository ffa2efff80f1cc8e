import Contracts
public import Foundation
import Media
public import Pipeline

/// What is approved is what publishes: every composed file is probed back and checked against its template
/// and platform before its variant is queued.
public enum ReelVerifier {
    /// Checks codec, size, frame rate, duration, audio, faststart and file size; returns the file's size in bytes.
    @discardableResult
    public static func verify(file: URL, template: ReelTemplate, platform: PlatformPreset, seconds: Double) throws -> Int64 {
        let probe = try probe(file, "file")
        var problems: [String] = []
        let frame = 1 / Double(template.fps)
        if let video = probe.video {
            if video.codec != "h264" { problems.append("video codec is \(video.codec), not h264") }
            if video.width != template.width || video.height != template.height {
                problems.append("picture is \(video.width ?? 0)×\(video.height ?? 0), not \(template.width)×\(template.height)")
            }
            if let fps = video.framesPerSecond, abs(fps - Double(template.fps)) > 0.01 {
                problems.append("frame rate is \(fps), not \(template.fps)")
            }
            if let duration = video.durationSeconds, abs(duration - seconds) > frame + 1e-3 {
                problems.append("video lasts \(String(format: "%.3f", duration)) s, not \(String(format: "%.3f", seconds)) s")
            }
        } else {
            problems.append("there is no video stream")
        }
        if let audio = probe.audio {
            if audio.codec != "aac" { problems.append("audio codec is \(audio.codec), not aac") }
            if let a = audio.durationSeconds, let v = probe.video?.durationSeconds, abs(a - v) > frame + 1e-3 {
                problems.append("audio lasts \(String(format: "%.3f", a)) s but video \(String(format: "%.3f", v)) s")
            }
        } else {
            problems.append("there is no audio stream")
        }
        if seconds > platform.maxVideoSeconds + frame { problems.append("\(seconds) s is longer than the platform's \(platform.maxVideoSeconds) s") }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int64) ?? 0
        if bytes > platform.maxFileBytes { problems.append("\(bytes) bytes is more than the platform's \(platform.maxFileBytes)") }
        if !(try moovComesFirst(file)) { problems.append("the index (moov) is not at the front of the file (no faststart)") }
        guard problems.isEmpty else { throw ReelError("the composed file failed its check: " + problems.joined(separator: "; ")) }
        return bytes
    }

    /// Checks a composed picture (a card posted as an image): a JPEG of the template's size, within the
    /// platform's upload limit; returns the file's size in bytes.
    @discardableResult
    public static func verifyPicture(file: URL, template: ReelTemplate, platform: PlatformPreset) throws -> Int64 {
        let probe = try probe(file, "picture")
        var problems: [String] = []
        if probe.kind != "image" { problems.append("it is \(probe.kind), not an image") }
        if let picture = probe.video {
            if picture.codec != "mjpeg" { problems.append("its codec is \(picture.codec), not JPEG") }
            if picture.width != template.width || picture.height != template.height {
                problems.append("picture is \(picture.width ?? 0)×\(picture.height ?? 0), not \(template.width)×\(template.height)")
            }
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int64) ?? 0
        if bytes > platform.maxFileBytes { problems.append("\(bytes) bytes is more than the platform's \(platform.maxFileBytes)") }
        guard problems.isEmpty else { throw ReelError("the composed picture failed its check: " + problems.joined(separator: "; ")) }
        return bytes
    }

    private static func probe(_ file: URL, _ what: String) throws -> ProbeResult {
        do {
            return try MediaProber(limits: MediaLimits()).probe(path: file.path)
        } catch {
            throw ReelError("the composed \(what) does not open: \(error)")
        }
    }

    /// Whether the top-level `moov` box comes before `mdat`.
    public static func moovComesFirst(_ file: URL) throws -> Bool {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var offset: UInt64 = 0
        let end = try handle.seekToEnd()
        while offset + 8 <= end {
            try handle.seek(toOffset: offset)
            guard let header = try handle.read(upToCount: 16), header.count >= 8 else { return false }
            var size = UInt64(header[0]) << 24 | UInt64(header[1]) << 16 | UInt64(header[2]) << 8 | UInt64(header[3])
            let type = String(decoding: header[4..<8], as: UTF8.self)
            if size == 1, header.count >= 16 { size = header[8..<16].reduce(0) { $0 << 8 | UInt64($1) } }
            if size == 0 { size = end - offset }
            if type == "moov" { return true }
            if type == "mdat" { return false }
            guard size >= 8 else { return false }
            offset += size
        }
        return false
    }
}
