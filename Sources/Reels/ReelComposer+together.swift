public import Contracts
import Foundation
import Media
import Pipeline

extension ReelComposer {
    /// Composes several distinct reels of one request at once, each on threads of its own, so the encoders
    /// keep both cores busy through each other's start and flush; reels cut from the same video share one
    /// decode of it (one drawing thread reframes each decoded frame for every reel; bench/request's video
    /// case decoded its 1080p source once per reel before, 17 % of a reel's CPU).
    ///
    /// Each job succeeds or fails on its own, as if composed alone: a still, voice or encoder that fails
    /// costs its own reel. Only a failure to decode the shared video fails every reel cut from it (as it would
    /// each of them alone).
    public static func composeTogether(_ jobs: [ReelJob]) -> [Result<ComposedReel, ReelError>] {
        // Jobs cutting the same video form one unit (one decode); every other job is a unit of its own.
        var units: [[Int]] = []
        var unitOfVideo: [String: Int] = [:]
        for (index, job) in jobs.enumerated() {
            if let video = job.video, !job.picture {
                if let unit = unitOfVideo[video] {
                    units[unit].append(index)
                    continue
                }
                unitOfVideo[video] = units.count
            }
            units.append([index])
        }
        let results = LockedSlots<Result<ComposedReel, ReelError>>(count: jobs.count)
        ReelThreads.runEach(
            units.map { unit in
                {
                    let unitJobs = unit.map { jobs[$0] }
                    let outcomes = unit.count == 1 ? [composeAlone(unitJobs[0])] : composeSharingDecode(unitJobs)
                    for (index, outcome) in zip(unit, outcomes) { results.set(index, outcome) }
                }
            }
        )
        return results.all().map { $0 ?? .failure(ReelError("the reel was not composed")) }
    }

    private static func composeAlone(_ job: ReelJob) -> Result<ComposedReel, ReelError> {
        Result { try ReelComposer(job: job).compose() }.mapError(reelError)
    }

    /// Reels cut from one video: each prepared on its own (its sound, subtitles and encoder), then one decode
    /// feeds them all, each encoded on a thread of its own.
    private static func composeSharingDecode(_ jobs: [ReelJob]) -> [Result<ComposedReel, ReelError>] {
        let started = ContinuousClock.now
        var outcomes: [Result<ComposedReel, ReelError>?] = Array(repeating: nil, count: jobs.count)
        var renders: [(index: Int, render: ReelRender)] = []
        for (index, job) in jobs.enumerated() {
            do {
                renders.append((index, try ReelRender(job: job, started: started)))
            } catch {
                outcomes[index] = .failure(reelError(error))
            }
        }
        if let video = renders.first?.render.job.video {
            let outputs = UncheckedSendable(renders.map(\.render))
            let failures = FramePipe.fanOut(
                outputs: renders.count,
                produce: { push in
                    let reels = outputs.value
                    try VideoCutPlan.render(path: video, outputs: reels.map { .init(job: $0.job, frames: $0.frames) }) { index, picture in
                        reels[index].subtitle(&picture)
                        return push(index, &picture)
                    }
                },
                consumers: renders.map { entry in { picture in try entry.render.encode(picture) } }
            )
            let others = renders.map { $0.render.job.template.name }
            for ((index, render), failure) in zip(renders, failures) {
                if let failure {
                    render.abandon()
                    outcomes[index] = .failure(reelError(failure))
                    continue
                }
                if renders.count > 1 {
                    let partners = others.filter { $0 != render.job.template.name }.joined(separator: ", ")
                    render.note("one decode of the video also made \(partners)")
                }
                outcomes[index] = Result { try render.finish() }.mapError(reelError)
            }
        }
        return outcomes.map { $0 ?? .failure(ReelError("the reel was not composed")) }
    }

    /// A failure as the run page shows it: a `ReelError` as it is, anything else described.
    private static func reelError(_ error: any Error) -> ReelError {
        error as? ReelError ?? ReelError("\(error)")
    }
}
