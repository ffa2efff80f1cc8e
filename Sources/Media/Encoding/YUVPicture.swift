import CFFmpeg
import CPixelKernels

/// A planar 8-bit YUV 4:2:0 picture (BT.601, limited range): what the H.264 encoder takes and what reel
/// composition draws into. Width and height are even; chroma planes are half size each way.
public struct YUVPicture: Sendable {
    public let width: Int
    public let height: Int
    public var luma: [UInt8]
    public var blue: [UInt8]
    public var red: [UInt8]

    public var chromaWidth: Int { width / 2 }
    public var chromaHeight: Int { height / 2 }

    /// A picture filled with one colour (black by default).
    public init(width: Int, height: Int, y: UInt8 = 16, u: UInt8 = 128, v: UInt8 = 128) {
        precondition(width >= 2 && height >= 2 && width % 2 == 0 && height % 2 == 0, "a 4:2:0 picture needs even sides")
        self.width = width
        self.height = height
        luma = [UInt8](repeating: y, count: width * height)
        blue = [UInt8](repeating: u, count: (width / 2) * (height / 2))
        red = [UInt8](repeating: v, count: (width / 2) * (height / 2))
    }

    /// This picture turned clockwise by `degrees` (0, 90, 180 or 270): sideways pictures become upright.
    public func rotated(clockwise degrees: Int) -> YUVPicture {
        guard degrees == 90 || degrees == 180 || degrees == 270 else { return self }
        let sideways = degrees != 180
        var turned = YUVPicture(width: sideways ? height : width, height: sideways ? width : height)
        func turn(_ plane: [UInt8], _ planeWidth: Int, _ planeHeight: Int, into target: inout [UInt8]) {
            let targetStride = sideways ? planeHeight : planeWidth
            plane.withUnsafeBufferPointer { source in
                target.withUnsafeMutableBufferPointer { output in
                    drsocial_rotate_plane(
                        source.baseAddress,
                        Int32(planeWidth),
                        Int32(planeWidth),
                        Int32(planeHeight),
                        output.baseAddress,
                        Int32(targetStride),
                        Int32(degrees)
                    )
                }
            }
        }
        for plane in Plane.allCases {
            turn(self[keyPath: plane.samples], width(of: plane), height(of: plane), into: &turned[keyPath: plane.samples])
        }
        return turned
    }

    /// A new `width × height` picture written by a libswscale call (`scale` gets the four target planes and
    /// strides and returns `sws_scale`'s row count). swscale's vector writers may store past a row's end,
    /// so it writes into 64-byte-aligned padded planes, which are then copied out.
    static func scaled(
        width: Int,
        height: Int,
        _ scale: ([UnsafeMutablePointer<UInt8>?], [Int32]) -> Int32
    ) throws -> YUVPicture {
        var picture = YUVPicture(width: width, height: height)
        let strides = [(width + 63) & ~63, (width / 2 + 63) & ~63, (width / 2 + 63) & ~63]
        var paddedY = [UInt8](repeating: 0, count: strides[0] * (height + 2))
        var paddedU = [UInt8](repeating: 0, count: strides[1] * (height / 2 + 2))
        var paddedV = [UInt8](repeating: 0, count: strides[2] * (height / 2 + 2))
        let rows = paddedY.withUnsafeMutableBufferPointer { y in
            paddedU.withUnsafeMutableBufferPointer { u in
                paddedV.withUnsafeMutableBufferPointer { v in
                    scale([y.baseAddress, u.baseAddress, v.baseAddress, nil], strides.map { Int32($0) } + [0])
                }
            }
        }
        guard rows > 0 else { throw FFmpegError.unsupported("converting a picture failed") }
        unpad(paddedY, stride: strides[0], into: &picture.luma, width: width, height: height)
        unpad(paddedU, stride: strides[1], into: &picture.blue, width: width / 2, height: height / 2)
        unpad(paddedV, stride: strides[2], into: &picture.red, width: width / 2, height: height / 2)
        return picture
    }

    static func unpad(_ padded: [UInt8], stride: Int, into plane: inout [UInt8], width: Int, height: Int) {
        padded.withUnsafeBufferPointer { source in
            plane.withUnsafeMutableBufferPointer { target in
                for row in 0..<height {
                    (target.baseAddress! + row * width).update(from: source.baseAddress! + row * stride, count: width)
                }
            }
        }
    }

    /// Packed RGB of this picture (for OCR and checks), through libswscale.
    public func rgb() throws -> RGBImage {
        guard
            let scaler = sws_getContext(
                Int32(width),
                Int32(height),
                AV_PIX_FMT_YUV420P,
                Int32(width),
                Int32(height),
                AV_PIX_FMT_RGB24,
                Int32(SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT),
                nil,
                nil,
                nil
            )
        else { throw FFmpegError.unsupported("cannot convert the picture to RGB") }
        defer { sws_freeContext(scaler) }
        let stride = (width * 3 + 63) & ~63
        var padded = [UInt8](repeating: 0, count: stride * (height + 2))
        let rows = luma.withUnsafeBufferPointer { y in
            blue.withUnsafeBufferPointer { u in
                red.withUnsafeBufferPointer { v in
                    padded.withUnsafeMutableBufferPointer { target -> Int32 in
                        let sources: [UnsafePointer<UInt8>?] = [y.baseAddress, u.baseAddress, v.baseAddress, nil]
                        let sourceStrides: [Int32] = [Int32(width), Int32(width / 2), Int32(width / 2), 0]
                        let targets: [UnsafeMutablePointer<UInt8>?] = [target.baseAddress, nil, nil, nil]
                        let targetStrides: [Int32] = [Int32(stride), 0, 0, 0]
                        return sws_scale(scaler, sources, sourceStrides, 0, Int32(height), targets, targetStrides)
                    }
                }
            }
        }
        guard rows > 0 else { throw FFmpegError.unsupported("converting the picture to RGB failed") }
        var packed = [UInt8](repeating: 0, count: width * height * 3)
        Self.unpad(padded, stride: stride, into: &packed, width: width * 3, height: height)
        return RGBImage(width: width, height: height, pixels: packed)
    }
}
