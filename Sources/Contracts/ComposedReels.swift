public import Domain
public import Pipeline

/// The reels made for the request's platforms: the `compose` stage's output.
public struct ComposedReels: StageOutput, Equatable {
    public static let producer = "compose"

    /// One platform's reel, or why there is none.
    public struct Reel: Sendable, Codable, Equatable {
        public var platform: Platform
        public var template: String
        /// The stored MP4's blob path.
        public var path: String?
        public var reel: ComposedReel?
        public var error: String?

        public init(platform: Platform, template: String, path: String?, reel: ComposedReel?, error: String?) {
            self.platform = platform
            self.template = template
            self.path = path
            self.reel = reel
            self.error = error
        }
    }

    public var reels: [Reel]
    /// Why nothing was composed, when nothing was.
    public var skipped: String?

    public init(reels: [Reel], skipped: String?) {
        self.reels = reels
        self.skipped = skipped
    }
}
