import CPixelKernels

/// A decoded picture: packed 8-bit RGB, rows without padding. What OCR and the keyframe encoder work on.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width × height × 3` bytes, row after row.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "an RGB image needs width × height × 3 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Copies a decoded frame's rows (which may be padded) into a packed image.
    /// The frame's pixels, packed and upright (turned as its display matrix asks: a phone's portrait video,
    /// a JPEG's EXIF orientation), so keyframes and OCR see what people see.
    init(frame: AnalysisFrame) {
        if frame.rotation == 90 || frame.rotation == 180 || frame.rotation == 270 {
            let sideways = frame.rotation != 180
            let width = sideways ? frame.height : frame.width
            let height = sideways ? frame.width : frame.height
            var turned = [UInt8](repeating: 0, count: width * height * 3)
            turned.withUnsafeMutableBufferPointer { target in
                drsocial_rotate_pixels(
                    frame.pixels.baseAddress,
                    Int32(frame.stride),
                    Int32(frame.width),
                    Int32(frame.height),
                    3,
                    target.baseAddress,
                    Int32(width * 3),
                    Int32(frame.rotation)
                )
            }
            self.init(width: width, height: height, pixels: turned)
            return
        }
        var packed = [UInt8](repeating: 0, count: frame.width * frame.height * 3)
        let rowBytes = frame.width * 3
        packed.withUnsafeMutableBytes { target in
            for row in 0..<frame.height {
                let source = UnsafeRawBufferPointer(
                    rebasing: UnsafeRawBufferPointer(frame.pixels)[(row * frame.stride)..<(row * frame.stride + rowBytes)]
                )
                UnsafeMutableRawBufferPointer(rebasing: target[(row * rowBytes)..<((row + 1) * rowBytes)]).copyMemory(from: source)
            }
        }
        self.init(width: frame.width, height: frame.height, pixels: packed)
    }

    /// Luma (BT.601, integer weights) of every pixel.
    public func luma() -> [UInt8] {
        var result = [UInt8](repeating: 0, count: width * height)
        pixels.withUnsafeBufferPointer { rgb in
            for index in 0..<(width * height) {
                let red = Int(rgb[3 * index])
                let green = Int(rgb[3 * index + 1])
                let blue = Int(rgb[3 * index + 2])
                result[index] = UInt8((77 * red + 150 * green + 29 * blue) >> 8)
            }
        }
        return result
    }

    /// Sharpness: the variance of a 4-neighbour Laplacian over the luma, sampled every `step` pixels.
    /// Blurred or motion-smeared frames score low.
    public func sharpness(step: Int = 2) -> Double {
        guard width > 2, height > 2 else { return 0 }
        let gray = luma()
        var sum = 0.0
        var squares = 0.0
        var count = 0.0
        var y = 1
        while y < height - 1 {
            var x = 1
            while x < width - 1 {
                let center = 4 * Int(gray[y * width + x])
                let laplacian = Double(
                    center - Int(gray[y * width + x - 1]) - Int(gray[y * width + x + 1])
                        - Int(gray[(y - 1) * width + x]) - Int(gray[(y + 1) * width + x])
                )
                sum += laplacian
                squares += laplacian * laplacian
                count += 1
                x += step
            }
            y += step
        }
        let mean = sum / count
        return squares / count - mean * mean
    }
}
