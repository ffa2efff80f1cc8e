import Contracts
import Foundation
import Isolation
import TestSupport
import Testing

@testable import Media

/// Probing real files with the real libraries, against the ground truth beside them.
@Suite struct ProbeTests {
    struct Truth: Decodable {
        var width: Int?
        var height: Int?
        var fps: Double?
        var duration: Double?
        var video_codec: String?
        var audio_codec: String?
    }

    static let truth: [String: Truth] = {
        let data = try! Data(contentsOf: TestEnvironment.testmedia("truth.json"))
        let all = try! JSONDecoder().decode([String: FailableTruth].self, from: data)
        return all.compactMapValues(\.value)
    }()

    struct FailableTruth: Decodable {
        let value: Truth?
        init(from decoder: any Decoder) throws { value = try? Truth(from: decoder) }
    }

    @Test(arguments: ["short.mp4", "cuts-720p.mp4", "cuts-1080p.mp4", "motion.mp4"])
    func videoMatchesTruth(name: String) throws {
        let truth = try #require(Self.truth[name])
        let result = try MediaProber().probe(path: TestEnvironment.testmedia(name).path)
        let video = try #require(result.video)
        #expect(result.kind == "video")
        #expect(video.width == truth.width)
        #expect(video.height == truth.height)
        #expect(video.codec == truth.video_codec)
        #expect(abs((video.framesPerSecond ?? 0) - (truth.fps ?? -1)) < 0.01)
        #expect(abs((result.durationSeconds ?? 0) - (truth.duration ?? -1)) < 0.1)
    }

    @Test(arguments: ["photo.jpg", "caption-plain.png"])
    func imageMatchesTruth(name: String) throws {
        let truth = try #require(Self.truth[name])
        let result = try MediaProber().probe(path: TestEnvironment.testmedia(name).path)
        #expect(result.kind == "image")
        #expect(result.video?.width == truth.width)
        #expect(result.video?.height == truth.height)
    }

    @Test func audioIsRecognised() throws {
        let result = try MediaProber().probe(path: TestEnvironment.testmedia("voice-memo.m4a").path)
        #expect(result.kind == "audio")
        #expect(result.audio?.codec == "aac")
    }
}

/// Hostile and broken files, each through the real child process: a failure with a clear message, never a crash.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.executable != nil)))
struct HostileMediaTests {
    let client = MediaWorkerClient(configuration: .init(executable: TestEnvironment.executable, wallSeconds: 30))

    @Test(arguments: [
        ("truncated.mp4", "Invalid data"),
        ("not-media.mp4", "Invalid data"),
        ("hostile/zero.mp4", "Invalid data"),
        ("hostile/random.mp4", "Invalid data"),
        ("hostile/hls-file.mp4", "format is not one we accept"),
        ("hostile/hls-http.mp4", "format is not one we accept"),
        ("hostile/huge-dimensions.png", "px a side"),
        ("hostile/long-duration.mp4", "claims 36000 s"),
    ])
    func refusedWithAClearMessage(name: String, fragment: String) async throws {
        do {
            let result = try await client.probe(file: TestEnvironment.testmedia(name), limits: MediaLimits())
            Issue.record("\(name) was accepted: \(result)")
        } catch let error as MediaWorkerError {
            #expect(error.description.contains(fragment), "\(name): \(error)")
        }
    }

    @Test func theWorkerProbesGoodFilesToo() async throws {
        let result = try await client.probe(file: TestEnvironment.testmedia("short.mp4"), limits: MediaLimits())
        #expect(result.video?.width == 1280)
        #expect(result.audio != nil)
    }

    @Test func aHungWorkerIsKilledAtItsDeadline() async throws {
        // `media-worker` reading from a FIFO nobody writes to blocks forever: the wall-clock limit must end it.
        let folder = try TestEnvironment.temporaryDirectory()
        let fifo = folder.appending(path: "never.mp4")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let impatient = MediaWorkerClient(configuration: .init(executable: TestEnvironment.executable, wallSeconds: 2))
        do {
            _ = try await impatient.probe(file: fifo, limits: MediaLimits { $0.deadlineSeconds = 60 })
            Issue.record("a FIFO was probed")
        } catch let error as MediaWorkerError {
            // The child's own 60 s deadline never came into it: the 2 s limit killed it. (No wall-clock check of
            // the test's own: starting a child on a machine busy with other suites can take longer than that.)
            #expect(error.description.contains("took longer than 2 s"), "\(error)")
        }
    }

    static let hostileSet = [
        "truncated.mp4", "not-media.mp4", "hostile/zero.mp4", "hostile/random.mp4", "hostile/hls-file.mp4",
        "hostile/hls-http.mp4", "hostile/huge-dimensions.png", "hostile/long-duration.mp4",
    ]

    /// Scene detection and keyframes refuse the same files, in the worker, with the probe's message.
    @Test(arguments: hostileSet)
    func decodingStagesRefuseTheHostileSet(name: String) async throws {
        let file = TestEnvironment.testmedia(name)
        let folder = try TestEnvironment.temporaryDirectory("hostile-keyframes")
        let scene = Scene(startFrame: 0, endFrame: 10, startSeconds: 0, endSeconds: 0.4)
        for work in ["scenes", "keyframes"] {
            do {
                if work == "scenes" {
                    _ = try await client.scenes(
                        file: file,
                        options: .init(detector: "adaptive", analysisWidth: 256, deadlineSeconds: 30, limits: MediaLimits())
                    )
                } else {
                    _ = try await client.keyframes(file: file, options: .init(scenes: [scene], limits: MediaLimits(), outputDirectory: folder.path))
                }
                Issue.record("\(work) accepted \(name)")
            } catch let error as MediaWorkerError {
                #expect(!error.description.contains("crashed") && error.description.count > 10, "\(work) \(name): \(error)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "nothing written for \(name)")
    }

    /// A decode that runs past its deadline is interrupted inside libavformat (the interrupt callback).
    @Test func aDecodePastItsDeadlineIsInterrupted() async throws {
        do {
            _ = try await client.scenes(
                file: TestEnvironment.testmedia("cuts-1080p.mp4"),
                options: .init(detector: "adaptive", analysisWidth: 256, deadlineSeconds: 0.01, limits: MediaLimits())
            )
            Issue.record("a 0.01 s deadline was met")
        } catch let error as MediaWorkerError {
            #expect(error.description.contains("deadline"), "\(error)")
        }
    }
}
