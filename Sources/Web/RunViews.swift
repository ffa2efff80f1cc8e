import Foundation
import Store

/// Turns run data into the plain dictionaries the templates show.
enum RunViews {
    static func summary(_ run: OpsQueries.RunSummary) -> [String: Any] {
        [
            "id": run.requestID.uuidString.lowercased(),
            "talent": run.talentSlug,
            "source": run.source,
            "status": run.status,
            "prompt": run.prompt.map { String($0.prefix(80)) } ?? "—",
            "created": timestamp(run.createdAt),
            "duration": run.durationSeconds.map { String(format: "%.1f s", $0) } ?? "—",
            "attachments": run.attachmentCount,
            "variants": run.variantCount,
        ]
    }

    static func job(_ job: OpsQueries.JobView) -> [String: Any] {
        [
            "id": job.id, "kind": job.kind, "status": job.status, "attempts": "\(job.attempts)/\(job.maxAttempts)",
            "error": job.lastError ?? "", "updated": timestamp(job.updatedAt),
            "isDead": job.status == "dead", "budget": JobQueue.Configuration().defaultMaxAttempts,
        ]
    }

    static func detail(_ detail: OpsQueries.RunDetail, rerunnable: [String] = []) -> [String: Any] {
        let names = Dictionary(detail.attachments.map { ($0.id, $0.filename) }, uniquingKeysWith: { first, _ in first })
        let timeline = StageTimeline(detail.stages.filter { $0.status != "skipped" })
        let requestID = detail.summary.requestID.uuidString.lowercased()
        func short(_ id: UUID) -> String { String(id.uuidString.lowercased().prefix(8)) }
        return [
            "requestID": requestID,
            "rerunnable": rerunnable,
            "canRerun": !rerunnable.isEmpty,
            "shownRun": detail.runID.map(short) ?? "",
            "runs": detail.runs.map { run -> [String: Any] in
                [
                    "id": short(run.id), "status": run.status, "started": timestamp(run.startedAt),
                    "finished": run.finishedAt.map(timestamp) ?? "—",
                    "what": run.rerunStages.map { "rerun of " + $0.joined(separator: ", ") } ?? "first run",
                    "by": run.requestedBy ?? "", "error": run.error ?? "", "shown": run.id == detail.runID,
                ]
            },
            "hasEarlierRuns": detail.runs.count > 1,
            "run": summary(detail.summary),
            "live": detail.summary.status != "complete" && detail.summary.status != "failed",
            "sender": detail.senderEmail ?? "",
            "subject": detail.subject ?? "",
            "failure": detail.failureReason ?? "",
            "hasFailure": detail.failureReason != nil,
            "notes": detail.notes,
            "pipelineStatus": detail.pipelineStatus ?? "not started",
            "timelineSpan": timeline.spanLabel,
            "stages": detail.stages.map { stage -> [String: Any] in
                let bar = timeline.bar(for: stage)
                return [
                    "stage": stage.stage,
                    "subject": stage.attachmentID.flatMap { names[$0] } ?? "request",
                    "status": stage.status,
                    "attempts": stage.attempts,
                    "started": timestamp(stage.startedAt),
                    "duration": stage.durationMs.map { $0 < 1000 ? String(format: "%.0f ms", $0) : String(format: "%.1f s", $0 / 1000) } ?? "—",
                    "barX": bar.x,
                    "barWidth": bar.width,
                    "summary": stage.summary ?? "",
                    "error": stage.error ?? "",
                    "reused": stage.reusedFromRun.map { "reused from run \(short($0))" } ?? "",
                ]
            },
            "attachments": detail.attachments.map { attachment -> [String: Any] in
                [
                    "filename": attachment.filename, "mime": attachment.mime, "bytes": attachment.bytes,
                    "sha256": String(attachment.sha256.prefix(16)), "role": attachment.role,
                    "duration": attachment.durationSeconds.map { String(format: "%.2f s", $0) } ?? "—",
                    "analysis": attachment.analysisJSON,
                ].merging(analysisFacts(attachment)) { first, _ in first }
            },
            "variants": detail.variants.map { variant -> [String: Any] in
                [
                    "platform": variant.platform, "handle": variant.handle, "state": variant.state,
                    "caption": variant.caption, "hashtags": variant.hashtags.joined(separator: " "), "origin": variant.origin,
                    "type": variant.type, "isReel": variant.hasComposedAsset && variant.type == "reel",
                    "isCardPicture": variant.hasComposedAsset && variant.type == "image",
                    "reelURL": "/ops/variants/\(variant.queueID.uuidString.lowercased())/reel",
                    "postID": variant.externalPostID as Any, "postURL": variant.externalURL as Any,
                    "publishError": variant.publishError as Any, "needsCheck": variant.needsCheck,
                    "attempts": variant.attempts.map(publishAttempt), "hasAttempts": !variant.attempts.isEmpty,
                ]
            },
            "hasVariants": !detail.variants.isEmpty,
            "events": detail.events.map { ["kind": $0.kind, "at": timestamp($0.at), "payload": $0.payloadJSON] },
        ]
    }

    /// One call to a publishing backend, with the failing step's screenshot when one was kept.
    static func publishAttempt(_ attempt: OpsQueries.PublishAttemptView) -> [String: Any] {
        [
            "channel": attempt.channel, "at": timestamp(attempt.startedAt), "outcome": attempt.outcome ?? "unknown",
            "detail": attempt.detail ?? "", "postID": attempt.externalPostID ?? "", "step": attempt.failedStep as Any,
            "screenshotURL": attempt.hasScreenshot ? "/ops/publish-attempts/\(attempt.id)/screenshot" : nil as String? as Any,
        ]
    }

    /// What the analysis stages found, for people: the scene strip, text on screen, speech.
    static func analysisFacts(_ attachment: OpsQueries.AttachmentView) -> [String: Any] {
        struct Analysis: Decodable {
            struct Keyframes: Decodable {
                struct Frame: Decodable {
                    var scene: Int
                    var seconds: Double
                    var sceneStartSeconds: Double
                    var sceneEndSeconds: Double
                }
                var keyframes: [Frame]
            }
            struct Text: Decodable { var text: String? }
            var keyframes: Keyframes?
            var ocr: Text?
            var transcribe: Text?
        }
        guard let analysis = try? JSONDecoder().decode(Analysis.self, from: Data(attachment.analysisJSON.utf8)) else { return [:] }
        let id = attachment.id.uuidString.lowercased()
        let frames = (analysis.keyframes?.keyframes ?? []).enumerated().map { index, frame -> [String: Any] in
            [
                "full": "/ops/attachments/\(id)/keyframes/\(index)",
                "thumb": "/ops/attachments/\(id)/keyframes/\(index)?size=thumb",
                "scene": frame.scene + 1,
                "timecode": "\(timecode(frame.sceneStartSeconds))–\(timecode(frame.sceneEndSeconds))",
                "at": timecode(frame.seconds),
            ]
        }
        return [
            "keyframes": frames, "hasKeyframes": !frames.isEmpty,
            "onScreenText": analysis.ocr?.text ?? "", "hasOnScreenText": !(analysis.ocr?.text ?? "").isEmpty,
            "transcript": analysis.transcribe?.text ?? "", "hasTranscript": !(analysis.transcribe?.text ?? "").isEmpty,
        ]
    }

    /// `m:ss.cc`.
    static func timecode(_ seconds: Double) -> String {
        let total = max(0, seconds)
        let minutes = Int(total) / 60
        return String(format: "%d:%05.2f", minutes, total - Double(minutes * 60))
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().time(includingFractionalSeconds: false))
    }
}
