import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
@testable public import S3

/// A real S3 server for the tests: moto's `moto_server`, from the venv `DRSOCIAL_PYTHON` belongs to, on
/// 127.0.0.1 and a free port, with one bucket, killed (SIGKILL) when the suite ends.
///
/// `authenticated` turns on moto's IAM emulation after creating a user with an `s3:*` policy and its access
/// key: from then on moto recomputes the SigV4 signature of every request it receives (with botocore) and
/// refuses a mismatch (403 `SignatureDoesNotMatch`), and refuses unknown keys. Presigned URLs do not work in
/// that mode (moto answers 500), so the presigned tests use a server without it.
public final class MotoServer: @unchecked Sendable {
    public let port: Int
    public let bucket: String
    /// The key requests sign with: any before `authenticated` set-up, the IAM user's after.
    public private(set) var credentials: S3Credentials
    public let log: URL
    private let process: Process

    public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// The server of the suite being run (see `MotoServerTrait`).
    @TaskLocal public static var current: MotoServer?

    public static var python: String? { ProcessInfo.processInfo.environment["DRSOCIAL_PYTHON"] }

    /// Whether the venv has moto and boto3 (`scripts/lib/venv.sh` installs them).
    public static let isInstalled: Bool = {
        guard let python else { return false }
        let process = Process()
        process.executableURL = URL(filePath: python)
        process.arguments = ["-c", "import moto.server, boto3"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    private init(port: Int, bucket: String, credentials: S3Credentials, log: URL, process: Process) {
        self.port = port
        self.bucket = bucket
        self.credentials = credentials
        self.log = log
        self.process = process
    }

    /// A configuration for this server's bucket (path-style, as a bucket sub-domain of 127.0.0.1 does not resolve).
    public func configuration(keyPrefix: String = "", credentials: S3Credentials? = nil, bucket: String? = nil) -> S3Configuration {
        S3Configuration(
            endpoint: endpoint,
            region: "us-east-1",
            forcePathStyle: true,
            bucket: bucket ?? self.bucket,
            keyPrefix: keyPrefix,
            credentials: credentials ?? self.credentials
        )
    }

    public func client(keyPrefix: String = "", credentials: S3Credentials? = nil, bucket: String? = nil) -> S3Client {
        S3Client(
            configuration: configuration(keyPrefix: keyPrefix, credentials: credentials, bucket: bucket),
            retry: S3RetryPolicy(maximumAttempts: 3),
            logger: TestEnvironment.logger
        )
    }

    // MARK: Starting and stopping

    /// Starts moto on a free loopback port and waits until it answers: as long as it takes while the process
    /// lives (a loaded machine is slow to import moto), and at once with its log when it exits.
    public static func start(authenticated: Bool) async throws -> MotoServer {
        guard let python else { throw MissingService(name: "DRSOCIAL_PYTHON") }
        let folder = try TestEnvironment.temporaryDirectory("moto")
        var lastLog = ""
        for _ in 0..<5 {
            let port = try LoopbackPort.free()
            let log = folder.appending(path: "moto-\(port).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let process = Process()
            let script = URL(filePath: python).deletingLastPathComponent().appending(path: "moto_server")
            if FileManager.default.isExecutableFile(atPath: script.path) {
                process.executableURL = script
                process.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
            } else {
                process.executableURL = URL(filePath: python)
                process.arguments = ["-m", "moto.server", "-H", "127.0.0.1", "-p", "\(port)"]
            }
            // Moto logs every request: to a file, as a pipe nobody reads would fill up and stall it.
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            let server = MotoServer(
                port: port,
                bucket: "drsocial-test-\(UUID().uuidString.prefix(8).lowercased())",
                credentials: S3Credentials(accessKeyID: "AKIAMOTOTESTING00000", secretAccessKey: "moto-test-secret"),
                log: log,
                process: process
            )
            if try await server.waitUntilAnswering() {
                return try await server.prepared(authenticated: authenticated)
            }
            lastLog = (try? String(contentsOf: log, encoding: .utf8))?.suffix(2000).description ?? ""
            server.stop()
        }
        throw MissingService(name: "moto_server (\(lastLog))")
    }

    /// Polls moto's own API until it answers; false when the process exits first (a port taken meanwhile).
    private func waitUntilAnswering() async throws -> Bool {
        let started = ContinuousClock.now
        while process.isRunning {
            var request = HTTPClientRequest(url: "\(endpoint.absoluteString)/moto-api/data.json")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)), response.status == .ok {
                return true
            }
            // A generous bound, only against a server that lives but never answers.
            if ContinuousClock.now - started > .seconds(600) { throw MissingService(name: "moto_server on port \(port) (never answered)") }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Creates the bucket, and with `authenticated` an IAM user and key that every later request must sign with.
    private func prepared(authenticated: Bool) async throws -> MotoServer {
        guard authenticated else {
            try await client().createBucket()
            return self
        }
        let admin = SigV4Signer(credentials: credentials, region: "us-east-1", service: "iam")
        let user = "drsocial-s3-tests"
        _ = try await iam(admin, ["Action": "CreateUser", "UserName": user])
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        _ = try await iam(admin, ["Action": "PutUserPolicy", "UserName": user, "PolicyName": "s3", "PolicyDocument": policy])
        let key = try await iam(admin, ["Action": "CreateAccessKey", "UserName": user])
        guard let accessKey = key.child("CreateAccessKeyResult")?.child("AccessKey"), let id = accessKey.value("AccessKeyId"),
            let secret = accessKey.value("SecretAccessKey")
        else { throw MissingService(name: "an IAM access key from moto") }
        credentials = S3Credentials(accessKeyID: id, secretAccessKey: secret)
        try await client().createBucket()
        // From now on every request is authenticated (the count of unauthenticated ones allowed is 0).
        var request = HTTPClientRequest(url: "\(endpoint.absoluteString)/moto-api/reset-auth")
        request.method = .POST
        request.headers.add(name: "content-type", value: "text/plain")
        request.body = .bytes(ByteBuffer(string: "0"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        guard response.status == .ok else { throw MissingService(name: "moto's reset-auth (\(response.status))") }
        return self
    }

    /// One IAM query call (form-encoded POST, signed for `iam`: moto routes by the credential scope).
    private func iam(_ signer: SigV4Signer, _ parameters: [String: String]) async throws -> S3XMLElement {
        let form = (parameters.merging(["Version": "2010-05-08"]) { $1 })
            .map { "\(SigV4Signer.uriEncode($0.key, encodeSlash: true))=\(SigV4Signer.uriEncode($0.value, encodeSlash: true))" }
            .joined(separator: "&")
        var signable = SigV4Request(
            method: "POST",
            scheme: "http",
            host: "127.0.0.1:\(port)",
            path: "/",
            headers: [(name: "content-type", value: "application/x-www-form-urlencoded; charset=utf-8")]
        )
        signer.sign(&signable, payloadHash: SigV4Signer.hexSHA256(Data(form.utf8)), date: Date())
        var request = HTTPClientRequest(url: signable.url)
        request.method = .POST
        for (name, value) in signable.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok, let xml = S3XMLElement.parse(Data(body.readableBytesView)) else {
            throw MissingService(name: "moto IAM \(parameters["Action"] ?? "") (\(response.status): \(String(buffer: body)))")
        }
        return xml
    }

    /// The process id, for watching its CPU time.
    public var pid: pid_t { process.processIdentifier }

    public func stop() {
        guard process.isRunning else { return }
        // SIGKILL: its state is not needed, and nothing must keep it alive past the suite.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

