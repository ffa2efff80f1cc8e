public import Domain
public import Foundation

extension ContentBrief {
    /// What a variant for one account posts: the reel composed for its platform, else the best attachment.
    public struct VariantMedia: Sendable, Equatable {
        public var attachmentID: UUID?
        /// A composed reel's (or card picture's) blob path.
        public var path: String?
        /// `reel`, `video`, `image` or `text`.
        public var type: String
    }

    /// A composed reel beats the raw media it was made from (a card made as a picture posts as an image);
    /// video platforms prefer a clip, the others a picture; any usable media beats none.
    public func media(for platform: Platform) -> VariantMedia {
        if let reel = reels[platform] { return VariantMedia(attachmentID: nil, path: reel.path, type: reel.picture ? "image" : "reel") }
        let usable = media.filter { $0.kind == "image" || $0.kind == "video" }
        let pick = platform == .tiktok ? usable.first { $0.kind == "video" } : (usable.first { $0.kind == "image" } ?? usable.first)
        guard let pick else { return VariantMedia(attachmentID: nil, path: nil, type: "text") }
        return VariantMedia(attachmentID: pick.attachmentID, path: nil, type: pick.kind == "video" ? "video" : "image")
    }
}
