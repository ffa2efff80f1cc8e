public import Contracts
import Domain
import Foundation
import Media
import Pipeline

/// Composes one reel for one template: stills with Ken Burns moves and crossfades, or a raw video reframed
/// and trimmed for the platform; the voice and music mixed, ducked and normalised; subtitles burned in;
/// H.264 + AAC in a faststart MP4; then the file is probed back (`ReelVerifier`) before anyone sees it.
public struct ReelComposer: Sendable {
    public let job: ReelJob

    public init(job: ReelJob) {
        self.job = job
    }

    /// Composes `job.output`; `progress` hears the share done (0…1) now and then.
    public func compose(progress: ((Double) -> Void)? = nil) throws -> ComposedReel {
        let started = ContinuousClock.now
        guard !job.stills.isEmpty || job.video != nil || job.card != nil else {
            throw ReelError("there is nothing to compose: no stills, no video and no text card")
        }
        if job.picture, job.stills.isEmpty, job.video == nil, let card = job.card {
            return try composePicture(card, started: started)
        }
        let render = try ReelRender(job: job, started: started)
        var written = 0
        do {
            // Frames are drawn (and subtitled) on a second thread while this one encodes them.
            try FramePipe.run { push in
                try render.drawOwnFrames(push)
            } consume: { picture in
                let done = try render.encode(picture)
                written += 1
                if written % 15 == 0 { progress?(done) }
            }
        } catch {
            render.abandon()
            throw error
        }
        let reel = try render.finish()
        progress?(1)
        return reel
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
