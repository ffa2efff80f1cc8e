import Testing

/// The crash tests restart their PostgreSQL and Dovecot (a cluster and a server of their own, apart from
/// the other tests'), so they run one after the other.
@Suite(.serialized) enum CrashSuites {}
