import CGMime

/// Owns one GObject reference (a GMime message, stream, parser or address list) and drops it in `deinit`.
final class GObjectOwner<Object> {
    /// The object; valid while this owner lives.
    let pointer: UnsafeMutablePointer<Object>

    /// Takes over a reference the caller owns (a `_new` or `construct` result); nil stays nil.
    init?(_ pointer: UnsafeMutablePointer<Object>?) {
        guard let pointer else { return nil }
        self.pointer = pointer
    }

    deinit { drsocial_g_object_unref(pointer) }
}
