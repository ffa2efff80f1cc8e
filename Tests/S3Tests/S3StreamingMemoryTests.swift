import Crypto
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import S3

/// Streaming a large object through `S3MultipartWriter` keeps memory flat: 2 GiB, made on the fly in 1 MiB
/// chunks, go to moto in 8 MiB parts while the process's peak resident memory (`VmHWM`) grows by less than
/// 96 MiB.
///
/// The upload runs in a child process, this test binary filtered to `S3StreamingMemoryProbe`: `VmHWM` is the
/// whole process's peak, and in this one other suites run at the same time and move it.
@Suite(
    .enabled(if: TestEnvironment.available(MotoServer.isInstalled)),
    .disabled(if: TestEnvironment.isSanitized, "a sanitizer's shadow memory is in the peak this test bounds"),
    .motoServer(authenticated: false),
    .timeLimit(.minutes(30))
)
struct S3StreamingMemoryTests {
    static let size = 2 << 30
    static let partSize = S3MultipartWriter.defaultPartSize
    /// Measured: +29 MiB for 512 MiB, +55 MiB for 2 GiB (+45 MiB with `MALLOC_ARENA_MAX=2`): two 8 MiB part
    /// buffers and the HTTP client's, plus a slow creep of about 17 MiB per GiB that I have not pinned down
    /// (not the part buffers, which are reused). The bound leaves room for that creep, not for a part held
    /// per part: 256 of them would be 2 GiB.
    static let allowedGrowth = 96 << 20

    @Test func streamingALargeObjectKeepsMemoryFlat() async throws {
        let server = try #require(MotoServer.current)
        let folder = try TestEnvironment.temporaryDirectory("s3-memory")
        let input = S3StreamingMemoryProbe.Input(
            endpoint: server.endpoint.absoluteString,
            bucket: server.bucket,
            accessKeyID: server.credentials.accessKeyID,
            secretAccessKey: server.credentials.secretAccessKey,
            key: "memory/streamed-\(UUID().uuidString.prefix(8))",
            size: Self.size,
            partSize: Self.partSize,
            seed: UInt64.random(in: 1...UInt64.max),
            result: folder.appending(path: "result.json").path,
            progress: folder.appending(path: "progress").path
        )
        let inputFile = folder.appending(path: "input.json")
        try JSONEncoder().encode(input).write(to: inputFile)

        let log = folder.appending(path: "probe.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(filePath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["--testing-library", "swift-testing", "--filter", "S3StreamingMemoryProbe"]
        process.environment = ProcessInfo.processInfo.environment.merging([S3StreamingMemoryProbe.variable: inputFile.path]) { $1 }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // As long as bytes keep moving or the child and moto keep computing; never a fixed deadline.
        let ending = try await ProgressWatch(processes: { [process.processIdentifier, server.pid] }).wait(
            until: { !process.isRunning },
            progress: { (try? String(contentsOfFile: input.progress, encoding: .utf8)) ?? "" }
        )
        let output = (try? String(contentsOf: log, encoding: .utf8)).map { String($0.suffix(3000)) } ?? ""
        #expect(ending == .done, "\(ending)\n\(output)")
        guard ending == .done else { return }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        let result = try JSONDecoder().decode(S3StreamingMemoryProbe.Result.self, from: Data(contentsOf: URL(filePath: input.result)))

        #expect(result.uploaded.size == Int64(Self.size) && result.uploaded.parts == Self.size / Self.partSize)
        #expect(result.uploaded.sha256 == result.expectedSHA256, "the writer's hash of what streamed through it")
        let growth = (result.peakAfterKiB - result.peakBeforeKiB) * 1024
        #expect(growth < Self.allowedGrowth, "peak resident memory grew by \(growth >> 20) MiB")
        print("S3 streaming memory: \(Self.size >> 20) MiB in \(result.uploaded.parts) parts of \(Self.partSize >> 20) MiB; VmHWM \(result.peakBeforeKiB) kB → \(result.peakAfterKiB) kB (+\(growth >> 20) MiB) in \(result.seconds) s")

        // What the server holds: its size, and the composite checksum it computed from the bytes it received.
        let head = try #require(try await server.client().headObject(key: input.key, checksumMode: true))
        #expect(head.size == Int64(Self.size))
        #expect(head.checksumSHA256 == result.expectedComposite || head.checksumSHA256.map { "\($0)-\(result.uploaded.parts)" } == result.expectedComposite)
    }
}

/// The child's half of `S3StreamingMemoryTests`: runs only in the process that test starts.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DRSOCIAL_S3_MEMORY_PROBE"] != nil))
struct S3StreamingMemoryProbe {
    static let variable = "DRSOCIAL_S3_MEMORY_PROBE"
    static let chunkSize = 1 << 20

    struct Input: Codable {
        var endpoint: String
        var bucket: String
        var accessKeyID: String
        var secretAccessKey: String
        var key: String
        var size: Int
        var partSize: Int
        var seed: UInt64
        var result: String
        var progress: String
    }

    struct Uploaded: Codable {
        var sha256: String
        var size: Int64
        var parts: Int
    }

    struct Result: Codable {
        var uploaded: Uploaded
        var expectedSHA256: String
        var expectedComposite: String
        var peakBeforeKiB: Int
        var peakAfterKiB: Int
        var seconds: Double
    }

    /// `VmHWM` of /proc/self/status: the process's peak resident memory so far, in kB.
    static func peakResidentKiB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    @Test func streamThroughTheWriter() async throws {
        let path = try #require(ProcessInfo.processInfo.environment[Self.variable])
        let input = try JSONDecoder().decode(Input.self, from: Data(contentsOf: URL(filePath: path)))
        #expect(input.partSize % Self.chunkSize == 0 && input.size % Self.chunkSize == 0)
        let client = S3Client(
            configuration: S3Configuration(
                endpoint: URL(string: input.endpoint),
                forcePathStyle: true,
                bucket: input.bucket,
                credentials: S3Credentials(accessKeyID: input.accessKeyID, secretAccessKey: input.secretAccessKey)
            ),
            logger: TestEnvironment.logger
        )
        // Warm up what lives for the whole process (the connection pool, the runtime's first allocations).
        _ = try await client.putObject(key: "\(input.key).warm-up", data: TestBytes.stream(Self.chunkSize, seed: 7))
        _ = try await client.getObject(key: "\(input.key).warm-up")

        let before = try Self.peakResidentKiB()
        let started = ContinuousClock.now
        let writer = try S3MultipartWriter(client: client, key: input.key, partSize: input.partSize)
        // Hashed here too, apart from the writer: the whole object, and each part for the composite checksum.
        var whole = SHA256()
        var part = SHA256()
        var partDigests = Data()
        for index in 0..<(input.size / Self.chunkSize) {
            let chunk = TestBytes.stream(Self.chunkSize, seed: input.seed &+ UInt64(index))
            whole.update(data: chunk)
            part.update(data: chunk)
            if (index + 1) * Self.chunkSize % input.partSize == 0 {
                partDigests += Data(part.finalize())
                part = SHA256()
            }
            try await writer.write(chunk)
            if index % 16 == 15 { try? "\(index + 1) MiB".write(toFile: input.progress, atomically: true, encoding: .utf8) }
        }
        let uploaded = try await writer.finish()
        let after = try Self.peakResidentKiB()

        let result = Result(
            uploaded: Uploaded(sha256: uploaded.sha256, size: uploaded.size, parts: uploaded.parts),
            expectedSHA256: SigV4Signer.hex(whole.finalize()),
            expectedComposite: "\(Data(SHA256.hash(data: partDigests)).base64EncodedString())-\(partDigests.count / 32)",
            peakBeforeKiB: before,
            peakAfterKiB: after,
            seconds: Double((ContinuousClock.now - started).components.seconds)
        )
        try JSONEncoder().encode(result).write(to: URL(filePath: input.result))
    }
}
