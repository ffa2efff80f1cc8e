import Intake

/// Job kinds the daemon handles.
enum PostRequestIntakeKinds {
    static let pipeline = PostRequestIntake.pipelineJobKind
}
