import Web

extension DaemonEnvironment {
    /// The HTTP rate limits (`RATE_LIMIT_*`); a `…_PER_MINUTE` of 0 turns that limit off.
    var rateLimits: WebConfiguration.RateLimits {
        get throws {
            let maxKeys = try int("RATE_LIMIT_MAX_KEYS", default: 10_000, range: 100...10_000_000)
            func limit(_ name: String, perMinute: Int, burst: Int) throws -> RateLimiter.Configuration? {
                let rate = try int("RATE_LIMIT_\(name)_PER_MINUTE", default: perMinute, range: 0...100_000)
                guard rate > 0 else { return nil }
                let burst = try int("RATE_LIMIT_\(name)_BURST", default: burst, range: 1...100_000)
                return .init(perMinute: Double(rate), burst: burst, maxKeys: maxKeys)
            }
            return .init(
                signIn: try limit("SIGN_IN", perMinute: 10, burst: 10),
                uploads: try limit("UPLOADS", perMinute: 10, burst: 20),
                api: try limit("API", perMinute: 600, burst: 600)
            )
        }
    }

    /// How slow an HTTP client may be (`HTTP_HEADER_TIMEOUT_SECONDS`, `HTTP_BODY_TIMEOUT_SECONDS`,
    /// `HTTP_BODY_MIN_BYTES_PER_SECOND`).
    var slowClients: WebConfiguration.SlowClients {
        get throws {
            .init(
                headerTimeout: .seconds(try int("HTTP_HEADER_TIMEOUT_SECONDS", default: 10, range: 1...3600)),
                bodyTimeout: .seconds(try int("HTTP_BODY_TIMEOUT_SECONDS", default: 30, range: 1...3600)),
                minimumBodyBytesPerSecond: try int("HTTP_BODY_MIN_BYTES_PER_SECOND", default: 1024, range: 0...(1 << 30))
            )
        }
    }
}
