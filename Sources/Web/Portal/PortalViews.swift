import Domain
import Foundation
import Store

/// Turns the portal's data into what the `me*` templates show. Values are plain strings: the templates
/// escape them (`{{…}}`), so a caption holding `<script>` is shown as text.
enum PortalViews {
    static func page(talent: PortalRepository.Talent, snapshot: PortalRepository.Snapshot, csrf: String, limits: UploadLimits) -> [String: Any] {
        var view = lists(snapshot)
        view["talent"] = talent.displayName
        view["slug"] = talent.slug
        view["csrf"] = csrf
        view["maxFileBytes"] = "\(limits.maxFileBytes)"
        view["maxFiles"] = "\(limits.maxFiles)"
        view["maxFileMB"] = String(format: "%.0f", Double(limits.maxFileBytes) / 1_000_000)
        view["accounts"] = snapshot.accounts.filter { $0.status == "active" }.map { account -> [String: Any] in
            [
                "id": account.id.uuidString.lowercased(), "platform": account.platform.rawValue.capitalized, "tag": account.platform.tag,
                "handle": account.handle, "checked": snapshot.lastUsed.isEmpty || snapshot.lastUsed.contains(account.id),
            ]
        }
        return view
    }

    static func lists(_ snapshot: PortalRepository.Snapshot) -> [String: Any] {
        [
            "requests": snapshot.requests.map { request -> [String: Any] in
                [
                    "id": request.id.uuidString.lowercased(), "status": request.status, "source": request.source,
                    "prompt": request.prompt ?? "(no prompt)", "attachments": request.attachments,
                    "created": request.createdAt.formatted(
                        Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().time(includingFractionalSeconds: false)
                    ),
                ]
            },
            "hasRequests": !snapshot.requests.isEmpty,
            "groups": snapshot.groups.map { group -> [String: Any] in
                let pending = group.variants.filter { $0.state == ContentQueueState.awaitingOwnerApproval.rawValue }
                return [
                    "requestID": group.postRequestID?.uuidString.lowercased() ?? "",
                    "prompt": group.prompt ?? "Suggested by Dr.Social",
                    "pendingCount": pending.count, "canApproveAll": pending.count > 1,
                    "variants": group.variants.map { variant -> [String: Any] in
                        let composedPicture = variant.hasComposedAsset && variant.contentType == "image"
                        return [
                            "id": variant.id.uuidString.lowercased(), "platform": variant.platform, "handle": variant.handle,
                            "state": variant.state, "caption": variant.caption, "hashtags": variant.hashtags.joined(separator: " "),
                            "origin": variant.origin == "ai_initiated" ? "AI" : "your request",
                            "pending": variant.state == ContentQueueState.awaitingOwnerApproval.rawValue,
                            "rejectedReason": variant.rejectedReason ?? "",
                            "wasRejected": variant.state == ContentQueueState.rejected.rawValue,
                            "version": variant.version, "isNewVersion": variant.version > 1,
                            "flag": variant.moderationReason.map { $0.hasPrefix("flagged: ") ? String($0.dropFirst(9)) : $0 } ?? "",
                            "isFlagged": variant.moderationReason != nil,
                            "publishError": variant.publishError ?? "", "hasPublishError": variant.publishError != nil,
                            "externalURL": variant.externalURL ?? "", "isPublished": variant.externalURL != nil,
                            // A reel or card picture previews the composed file itself: what is approved is what publishes.
                            "mediaURL": variant.hasComposedAsset
                                ? "/me/variants/\(variant.id.uuidString.lowercased())/reel"
                                : variant.mediaAttachmentID.map { "/me/media/\($0.uuidString.lowercased())" } ?? "",
                            "isImage": variant.hasComposedAsset ? composedPicture : variant.mediaMime?.hasPrefix("image/") == true,
                            "isVideo": variant.hasComposedAsset ? !composedPicture : variant.mediaMime?.hasPrefix("video/") == true,
                            "isReel": variant.hasComposedAsset && !composedPicture,
                            "isCardPicture": composedPicture,
                        ]
                    },
                ]
            },
            "hasGroups": !snapshot.groups.isEmpty,
        ]
    }
}
