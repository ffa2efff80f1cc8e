import Contracts
import Domain
import Foundation
import Pipeline

extension ReelJob {
    /// What decides this job's pictures and sound, apart from its template's name and length limit and the
    /// platform's overlays and upload limits: two jobs with equal keys (the same inputs, size, frame rate,
    /// motion, subtitles' style, mix, loudness and encoder settings) make the same reel, as long as neither
    /// limit shortens it and both keep their subtitles clear of both platforms' overlays.
    func renderKey() throws -> Data {
        var key = self
        key.output = ""
        key.template.name = ""
        key.template.platform = .instagram
        key.template.maxSeconds = 0
        key.platform.captionLimit = 0
        key.platform.hashtagLimit = 0
        key.platform.aspect = ""
        key.platform.maxVideoSeconds = 0
        key.platform.maxFileBytes = 0
        key.platform.safeArea.top = 0
        key.platform.safeArea.bottom = 0
        key.platform.safeArea.left = 0
        key.platform.safeArea.right = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(key)
    }

    /// The jobs' indices grouped by render key, in the order the groups first appear; each group with the
    /// longest limit first (its render, when no limit shortened it, is also every shorter limit's).
    static func renderGroups(_ jobs: [ReelJob]) throws -> [[Int]] {
        var order: [Data] = []
        var groups: [Data: [Int]] = [:]
        for (index, job) in jobs.enumerated() {
            let key = try job.renderKey()
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(index)
        }
        return order.map { key in groups[key, default: []].sorted { jobs[$0].template.maxSeconds > jobs[$1].template.maxSeconds } }
    }

    /// The frame's margins kept clear of every one of these platforms' overlays (the largest of each side).
    static func safeArea(clearOfAll jobs: [ReelJob]) -> PlatformPreset.SafeArea? {
        guard var area = jobs.first?.platform.safeArea else { return nil }
        for job in jobs.dropFirst() {
            area.top = max(area.top, job.platform.safeArea.top)
            area.bottom = max(area.bottom, job.platform.safeArea.bottom)
            area.left = max(area.left, job.platform.safeArea.left)
            area.right = max(area.right, job.platform.safeArea.right)
        }
        return area
    }

    /// Whether `reel`, composed for a job with the same render key, is also this job's: nothing shortened
    /// it, and its length and size are within this job's template and platform.
    func isServed(by reel: ComposedReel) -> Bool {
        reel.cappedAt == nil && reel.seconds <= template.maxSeconds + 1 / Double(template.fps)
            && reel.seconds <= platform.maxVideoSeconds && reel.fileBytes <= platform.maxFileBytes
    }
}
