import CFFmpeg

/// The one owner of a libswresample context: from a decoder's audio to `channels` channels of `format` at
/// `rate` Hz (the decoder's layout, or mono when it names none).
final class Resampler {
    private var context: OpaquePointer?

    init?(from codec: UnsafePointer<AVCodecContext>, channels: Int32, format: AVSampleFormat, rate: Int32) {
        // Zeroed first: av_channel_layout_copy uninitialises its destination, freeing a custom map.
        var output = AVChannelLayout()
        av_channel_layout_default(&output, channels)
        var input = AVChannelLayout()
        if codec.pointee.ch_layout.nb_channels > 0 {
            var source = codec.pointee.ch_layout
            av_channel_layout_copy(&input, &source)
        } else {
            av_channel_layout_default(&input, 1)
        }
        defer { av_channel_layout_uninit(&input) }
        var made: OpaquePointer?
        let status = swr_alloc_set_opts2(
            &made,
            &output,
            format,
            rate,
            &input,
            codec.pointee.sample_fmt,
            codec.pointee.sample_rate,
            0,
            nil
        )
        guard status >= 0, swr_init(made) >= 0 else {
            swr_free(&made)
            return nil
        }
        context = made
    }

    deinit { swr_free(&context) }

    /// Resamples one decoded frame (or, with nil, what the resampler still holds) into `planes`, each with room
    /// for `capacity` samples; the number of samples written per plane.
    func convert(into planes: [UnsafeMutableRawPointer?], capacity: Int, from frame: UnsafePointer<AVFrame>?) -> Int32 {
        var outputs = planes.map { $0?.assumingMemoryBound(to: UInt8.self) }
        return outputs.withUnsafeMutableBufferPointer { out in
            guard let frame else { return swr_convert(context, out.baseAddress, Int32(capacity), nil, 0) }
            return frame.pointee.extended_data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { input in
                swr_convert(context, out.baseAddress, Int32(capacity), input, frame.pointee.nb_samples)
            }
        }
    }
}
