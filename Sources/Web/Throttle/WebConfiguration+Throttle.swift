extension WebConfiguration {
    /// How fast sign-in attempts, portal uploads and API calls may come. Each daemon counts in its own memory,
    /// so N daemons behind one address allow N times these rates. nil turns one limit off.
    public struct RateLimits: Sendable, Equatable {
        /// Per client address: `POST /ops/login`, `/me/sign-in`, and `/api` calls without the operator token
        /// (`RATE_LIMIT_SIGN_IN_PER_MINUTE`, `RATE_LIMIT_SIGN_IN_BURST`). Default 10 a minute, burst 10.
        public var signIn: RateLimiter.Configuration?
        /// Per talent: `POST /me/requests`, the portal's uploads (`RATE_LIMIT_UPLOADS_PER_MINUTE`,
        /// `RATE_LIMIT_UPLOADS_BURST`). Default 10 a minute, burst 20.
        public var uploads: RateLimiter.Configuration?
        /// Per operator (the platform key by its hash, a tenant operator by user id): `/api` calls (`RATE_LIMIT_API_PER_MINUTE`, `RATE_LIMIT_API_BURST`).
        /// Default 600 a minute, burst 600.
        public var api: RateLimiter.Configuration?

        /// - Parameters:
        ///   - signIn: Per client address (default 10 a minute, burst 10).
        ///   - uploads: Per talent (default 10 a minute, burst 20).
        ///   - api: Per operator token (default 600 a minute, burst 600).
        public init(
            signIn: RateLimiter.Configuration? = .init(perMinute: 10),
            uploads: RateLimiter.Configuration? = .init(perMinute: 10, burst: 20),
            api: RateLimiter.Configuration? = .init(perMinute: 600)
        ) {
            self.signIn = signIn
            self.uploads = uploads
            self.api = api
        }

        /// No limit at all.
        public static var off: RateLimits { .init(signIn: nil, uploads: nil, api: nil) }
    }

    /// How slow a client may be in sending its request before its connection is closed.
    public struct SlowClients: Sendable, Equatable {
        /// Time a client has to send a whole request head, from the connection's opening or the end of the
        /// previous response (`HTTP_HEADER_TIMEOUT_SECONDS`). Default 10 s. An idle keep-alive connection is
        /// closed after it too.
        public var headerTimeout: Duration
        /// The window in which a request body must advance by `minimumBodyBytesPerSecond` × the window, not
        /// counting time in which the server is not reading (`HTTP_BODY_TIMEOUT_SECONDS`). Default 30 s.
        public var bodyTimeout: Duration
        /// The slowest average body rate accepted over each window, in bytes per second; 0 only asks for one
        /// byte per window, a plain stall timeout (`HTTP_BODY_MIN_BYTES_PER_SECOND`). Default 1024.
        public var minimumBodyBytesPerSecond: Int

        /// - Parameters:
        ///   - headerTimeout: Time for a whole request head (default 10 s).
        ///   - bodyTimeout: The body's progress window (default 30 s).
        ///   - minimumBodyBytesPerSecond: Slowest body rate over a window (default 1024 B/s).
        public init(headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30), minimumBodyBytesPerSecond: Int = 1024) {
            self.headerTimeout = headerTimeout
            self.bodyTimeout = bodyTimeout
            self.minimumBodyBytesPerSecond = max(0, minimumBodyBytesPerSecond)
        }

        /// Bytes the body must advance by within one window (at least 1).
        var minimumBodyBytes: Int {
            let seconds = Double(bodyTimeout.components.seconds) + Double(bodyTimeout.components.attoseconds) / 1e18
            return max(1, Int((Double(minimumBodyBytesPerSecond) * seconds).rounded(.up)))
        }
    }
}
