import Foundation

extension WorkerSandbox {
    /// What a child's sandbox lets it touch besides the system folders (`WorkerSandbox.systemReadable`).
    /// A path that does not exist when a child starts is not granted, even if it appears later.
    public struct Configuration: Sendable, Equatable {
        /// False starts children without the sandbox, for debugging (`MEDIA_SANDBOX=off`). Default true.
        public var enabled: Bool
        /// Folders (or files) children may read: where the inputs are (the blob store, the scratch cache) and
        /// `MEDIA_SANDBOX_READ`. Default: none.
        public var readable: [String]
        /// Folders children may read and write: where the stages have them put what they make. Default: the
        /// temporary folder (`TMPDIR`, else `/tmp`); a child told none takes that too.
        public var writable: [String]

        public init(enabled: Bool = true, readable: [String] = [], writable: [String] = [Configuration.temporaryFolder]) {
            self.enabled = enabled
            self.readable = readable.map(Self.absolute)
            self.writable = writable.map(Self.absolute)
        }

        /// The settings `environment` names: off when `MEDIA_SANDBOX` is `off` (or `0`, `false`, `no`), and the
        /// colon-separated paths of `MEDIA_SANDBOX_READ` readable besides `readable`.
        public init(environment: [String: String], readable: [String] = [], writable: [String] = [Configuration.temporaryFolder]) {
            let extra = (environment["MEDIA_SANDBOX_READ"] ?? "").split(separator: ":").map(String.init)
            self.init(enabled: Self.isOn(environment["MEDIA_SANDBOX"]) ?? true, readable: readable + extra, writable: writable)
        }

        /// `MEDIA_SANDBOX`'s value as a switch: nil for a word it does not know (and true when unset).
        public static func isOn(_ value: String?) -> Bool? {
            switch value?.trimmingCharacters(in: .whitespaces).lowercased() {
            case nil, "", "on", "1", "true", "yes": true
            case "off", "0", "false", "no": false
            default: nil
            }
        }

        /// The temporary folder, where the stages put the files a child writes.
        public static var temporaryFolder: String { absolute(FileManager.default.temporaryDirectory.path) }

        /// The arguments of `media-worker serve` that carry this configuration to a child.
        public var arguments: [String] {
            guard enabled else { return ["--no-sandbox"] }
            return readable.flatMap { ["--read", $0] } + writable.flatMap { ["--write", $0] }
        }

        /// `path` made absolute against the current folder (the child starts in the same one, but rules
        /// should not depend on it).
        static func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
    }
}
