/// What a media-worker child may see of the daemon's environment: locale, paths and library settings, never
/// a secret. Anything else (`DATABASE_URL`, `OPS_TOKEN`, `IMAP_PASSWORD`, `JWT_SECRET`, API keys, …) stays in
/// the daemon, so a child taken over by a hostile file has nothing to steal.
public enum WorkerEnvironment {
    /// The variables passed on when set.
    public static let allowed: Set<String> = [
        "PATH", "HOME", "TMPDIR", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_NUMERIC", "TZ",
        "OMP_THREAD_LIMIT", "TESSDATA_PREFIX", "FONTCONFIG_FILE", "FONTCONFIG_PATH", "XDG_CACHE_HOME",
        // Set only by the sandbox's tests: makes a child register `SandboxProbeTask`.
        SandboxProbeTask.environmentSwitch,
    ]

    /// The child's environment made from `parent`: the allowed variables, and one Tesseract thread per task
    /// unless the daemon says otherwise (OpenMP only adds overhead on small machines; measured).
    public static func child(of parent: [String: String]) -> [String: String] {
        var environment = parent.filter { allowed.contains($0.key) }
        environment["OMP_THREAD_LIMIT"] = environment["OMP_THREAD_LIMIT"] ?? "1"
        return environment
    }
}
