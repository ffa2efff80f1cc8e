import Foundation
import Isolation
import LLMRouter
import Logging
import S3
import Speech

/// Settings read from the environment, each checked with a message naming the variable.
struct DaemonEnvironment {
    let values: [String: String]

    init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    func required(_ name: String) throws -> String {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            throw ConfigurationError("\(name) is not set")
        }
        return value
    }

    func string(_ name: String, default fallback: String) -> String {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return fallback }
        return value
    }

    func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = values[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(raw)'")
        }
        return value
    }

    var databaseURL: String {
        get throws {
            let url = try required("DATABASE_URL")
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") || url.contains("=") else {
                throw ConfigurationError("DATABASE_URL must be a postgresql:// URL or a libpq key=value string")
            }
            return url
        }
    }

    var storageDirectory: URL {
        get throws {
            let path = try required("STORAGE_DIR")
            let url = URL(filePath: path, directoryHint: .isDirectory)
            do {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } catch {
                throw ConfigurationError("STORAGE_DIR (\(path)) cannot be created: \(error.localizedDescription)")
            }
            guard FileManager.default.isWritableFile(atPath: url.path) else {
                throw ConfigurationError("STORAGE_DIR (\(path)) is not writable")
            }
            return url
        }
    }

    /// The object store (`BLOB_STORE_URL=s3://bucket/prefix` and the `S3_*`, `AWS_*` settings), or nil for the
    /// local store in `STORAGE_DIR` (`BLOB_STORE_URL` unset or `file://`).
    var objectStore: S3Configuration? {
        get throws {
            if let raw = values["BLOB_STORE_URL"], raw.hasPrefix("file://") {
                let path = String(raw.dropFirst("file://".count))
                guard path.isEmpty || path == (values["STORAGE_DIR"] ?? path) else {
                    throw ConfigurationError("BLOB_STORE_URL=file://… and STORAGE_DIR name different folders: set one of them")
                }
            }
            do { return try S3Configuration.fromEnvironment(values) } catch { throw ConfigurationError("\(error)") }
        }
    }

    /// Where this daemon keeps local copies of object-store blobs (`SCRATCH_DIR`, default
    /// `STORAGE_DIR/scratch`, else the temporary folder's `drsocial-scratch`), and how much it may hold
    /// (`SCRATCH_MAX_BYTES`, default 10 GiB). Each daemon on a host needs a folder of its own: it is emptied at start.
    var scratch: (directory: URL, maxBytes: Int64) {
        get throws {
            let directory = values["SCRATCH_DIR"].map { URL(filePath: $0, directoryHint: .isDirectory) }
                ?? values["STORAGE_DIR"].map { URL(filePath: $0, directoryHint: .isDirectory).appending(path: "scratch") }
                ?? FileManager.default.temporaryDirectory.appending(path: "drsocial-scratch")
            guard let raw = values["SCRATCH_MAX_BYTES"] else { return (directory, 10 << 30) }
            guard let bytes = Int64(raw), bytes > 0 else { throw ConfigurationError("SCRATCH_MAX_BYTES must be a positive number of bytes, not '\(raw)'") }
            return (directory, bytes)
        }
    }

    var pipelinesDirectory: URL {
        get throws {
            let path = string("PIPELINES_DIR", default: "pipelines")
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ConfigurationError("PIPELINES_DIR (\(path)) is not a directory")
            }
            return URL(filePath: path, directoryHint: .isDirectory)
        }
    }

    var opsToken: String {
        get throws {
            let token = try required("OPS_TOKEN")
            guard token.count >= 16 else { throw ConfigurationError("OPS_TOKEN must be at least 16 characters") }
            guard token.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != ";" && $0 != "," && $0 != "\"" }) else {
                throw ConfigurationError("OPS_TOKEN must be printable ASCII without spaces, quotes, commas or semicolons")
            }
            return token
        }
    }

    var httpHost: String { string("HTTP_HOST", default: "127.0.0.1") }
    var httpPort: Int { get throws { try int("HTTP_PORT", default: 8080, range: 0...65535) } }
    var workers: Int { get throws { try int("WORKERS", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...256) } }
    /// Stage runs that use the CPU at once in this daemon (`StageBudget`); 1 runs media work one at a time.
    var stageBudget: Int { get throws { try int("STAGE_BUDGET", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...256) } }
    /// Media children started at `serve` with pocketsphinx and Tesseract loaded (`IsolatedWorkers.warmUp`), so the
    /// first transcription and OCR after a start cost what later ones do; 0 starts none. Default: as many as the
    /// pool keeps warm (the stage budget, at least 2). Each holds about 120 MiB more than a cold child.
    var mediaWarmChildren: Int { get throws { try int("MEDIA_WARM_CHILDREN", default: max(2, try stageBudget), range: 0...256) } }
    /// Seconds a busy media child may make no progress (none of its threads runs or waits for a core) before it
    /// is killed as hung, instead of at its task's wall-clock limit (many minutes for a long reel); 0 for never.
    var mediaStallSeconds: Double? { get throws { Double(try int("MEDIA_STALL_SECONDS", default: 60, range: 0...86_400)) } }
    /// The media children's priority: `idle` (the default: `SCHED_IDLE`, a core only when nothing else wants
    /// it) or a `nice` value from 0 to 19. Media work is batch work. Beside the pipeline, intake took in 42.6
    /// messages per second with idle children (the bare poller: 42.0), 28.8–32.1 at `nice 19` and 25.7 at
    /// `nice 10`, while the pipeline kept its 1.8–2.0 requests per second (`docs/benchmarks.md`, Email intake):
    /// a niced x264 thread keeps its core until the scheduler's next decision, an idle one gives it up the
    /// moment a daemon thread wakes.
    var mediaPriority: (niceness: Int, idle: Bool) {
        get throws {
            let raw = string("MEDIA_NICENESS", default: "idle")
            if raw.lowercased() == "idle" { return (19, true) }
            guard let niceness = Int(raw), (0...19).contains(niceness) else {
                throw ConfigurationError("MEDIA_NICENESS must be idle or a whole number from 0 to 19, not '\(raw)'")
            }
            return (niceness, false)
        }
    }

    /// The media-worker children's sandbox: on unless `MEDIA_SANDBOX=off`; they may read the blob store
    /// (`STORAGE_DIR`), the scratch cache, `PIPELINES_DIR` (a template's music bed) and the paths of
    /// `MEDIA_SANDBOX_READ`, and write the temporary folder.
    var mediaSandbox: WorkerSandbox.Configuration {
        get throws {
            guard WorkerSandbox.Configuration.isOn(values["MEDIA_SANDBOX"]) != nil else {
                throw ConfigurationError("MEDIA_SANDBOX must be on or off, not '\(values["MEDIA_SANDBOX"] ?? "")'")
            }
            let storage = values["STORAGE_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            let scratch = try? self.scratch.directory.path
            let pipelines = string("PIPELINES_DIR", default: "pipelines")
            return WorkerSandbox.Configuration(environment: values, readable: [storage, scratch, pipelines].compactMap { $0 })
        }
    }
    var databaseConnections: Int { get throws { try int("DB_MAX_CONNECTIONS", default: 8, range: 1...200) } }
    var jobLeaseSeconds: Int { get throws { try int("JOB_LEASE_SECONDS", default: 30, range: 2...3600) } }
    var jobLostLeaseLimit: Int { get throws { try int("JOB_LOST_LEASE_LIMIT", default: 20, range: 0...10_000) } }
    var databaseWaitSeconds: Int { get throws { try int("DATABASE_WAIT_SECONDS", default: 120, range: 0...86_400) } }
    var maxAttachmentBytes: Int {
        get throws { try int("MAX_ATTACHMENT_BYTES", default: 100 << 20, range: 1024...(4 << 30)) }
    }

    /// The talent portal's session secret (`JWT_SECRET`, at least 32 characters), or nil: portal off.
    var jwtSecret: String? {
        get throws {
            guard let secret = values["JWT_SECRET"], !secret.isEmpty else { return nil }
            guard secret.utf8.count >= 32 else { throw ConfigurationError("JWT_SECRET must be at least 32 characters") }
            return secret
        }
    }

    /// The HTTP transcription backend, or nil when `TRANSCRIBE_URL` is not set (offline pocketsphinx).
    var httpTranscription: HTTPTranscriber.Configuration? {
        get throws {
            guard let raw = values["TRANSCRIBE_URL"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            guard let url = URL(string: raw), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ConfigurationError("TRANSCRIBE_URL must be an http(s) URL, not '\(raw)'")
            }
            let model = string("TRANSCRIBE_MODEL", default: "whisper-1")
            let timeout = Int64(try int("TRANSCRIBE_TIMEOUT_SECONDS", default: 120, range: 1...3600))
            let attempts = try int("TRANSCRIBE_ATTEMPTS", default: 3, range: 1...10)
            return HTTPTranscriber.Configuration(url: url) {
                $0.apiKey = values["TRANSCRIBE_API_KEY"]
                $0.model = model
                $0.timeoutSeconds = timeout
                $0.attempts = attempts
            }
        }
    }

    /// The LLM router, or nil when `LLM_ROUTER_URL` is unset (the offline drafter drafts).
    var llmRouter: LLMRouterConfiguration? {
        get throws {
            do { return try LLMRouterConfiguration.fromEnvironment(values) } catch { throw ConfigurationError(error.message) }
        }
    }

    /// The MCP publishing backend (`MCP_SERVER_URL`, `MCP_API_KEY`), or nil when `MCP_SERVER_URL` is unset.
    var mcpServer: (url: URL, key: String)? {
        get throws {
            guard let raw = values["MCP_SERVER_URL"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            guard let url = URL(string: raw), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ConfigurationError("MCP_SERVER_URL must be an http(s) URL, not '\(raw)'")
            }
            return (url, values["MCP_API_KEY"] ?? "")
        }
    }

    /// Email intake settings, or nil when `IMAP_URL` is not set (email intake off).
    var emailIntake: EmailIntakeSettings? {
        get throws {
            guard let url = values["IMAP_URL"]?.trimmingCharacters(in: .whitespaces), !url.isEmpty else { return nil }
            guard url.hasPrefix("imap://") || url.hasPrefix("imaps://") else {
                throw ConfigurationError("IMAP_URL must start with imaps:// (or imap:// on loopback), not '\(url)'")
            }
            let domain = try required("INTAKE_DOMAIN").lowercased()
            guard domain.contains("."), !domain.contains("@"), !domain.contains(" ") else {
                throw ConfigurationError("INTAKE_DOMAIN must be a domain such as dr-social.app, not '\(domain)'")
            }
            return EmailIntakeSettings(
                url: url,
                user: try required("IMAP_USER"),
                password: try required("IMAP_PASSWORD"),
                domain: domain,
                pollSeconds: try int("IMAP_POLL_SECONDS", default: 30, range: 1...3600),
                ingestedFolder: string("IMAP_INGESTED_FOLDER", default: "drsocial/ingested"),
                refusedFolder: string("IMAP_REFUSED_FOLDER", default: "drsocial/refused"),
                caFile: values["IMAP_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            )
        }
    }

    var logLevel: Logger.Level {
        get throws {
            let raw = string("LOG_LEVEL", default: "info")
            guard let level = Logger.Level(rawValue: raw) else {
                throw ConfigurationError("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
            }
            return level
        }
    }
}

/// A setting is missing or wrong. Printed as is, then the command exits.
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "configuration: " + description }
}

/// Where the intake mailbox is and how to treat it.
struct EmailIntakeSettings {
    let url: String
    let user: String
    let password: String
    let domain: String
    let pollSeconds: Int
    let ingestedFolder: String
    let refusedFolder: String
    let caFile: String?
}
