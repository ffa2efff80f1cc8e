extension JobWorkerService: CustomStringConvertible {
    /// What the service is, without its collaborators: ServiceLifecycle logs every service's description at
    /// `debug`, and a reflected dump of the handlers would print the channels' and router's keys.
    public var description: String { "JobWorkerService(workers: \(configuration.workers), kinds: \(kinds))" }
}
