import Foundation

/// CPU time the calling thread has used: what "refused quickly" tests measure, since a loaded machine stretches
/// wall-clock time but not the work a parser does.
public enum ThreadCPUTime {
    public static func seconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
