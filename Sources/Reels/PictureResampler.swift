import CPixelKernels
public import Media

/// A rectangle in a picture's pixel coordinates, at sub-pixel precision.
public struct SourceRect: Sendable, Equatable {
    public var x: Double, y: Double, width: Double, height: Double
}

/// Draws any sub-pixel rectangle of a picture into a whole output picture with bilinear filtering.
///
/// Positions are kept in 16.16 fixed point and weights in 1/256 px, so a rectangle moving by a fraction of a
/// pixel per frame moves the output smoothly (ffmpeg's `zoompan` rounds its rectangle to whole pixels, which
/// shows as stepping).
public enum PictureResampler {
    /// Renders `rect` of `source` into `target` (the whole of it), all three planes.
    public static func draw(_ source: YUVPicture, rect: SourceRect, into target: inout YUVPicture) {
        for plane in YUVPicture.Plane.allCases {
            let scale = Double(plane.subsampling)
            let part = SourceRect(x: rect.x / scale, y: rect.y / scale, width: rect.width / scale, height: rect.height / scale)
            let outWidth = target.width(of: plane)
            let outHeight = target.height(of: plane)
            target[keyPath: plane.samples].withUnsafeMutableBufferPointer { out in
                source[keyPath: plane.samples].withUnsafeBufferPointer { samples in
                    resample(
                        samples,
                        width: source.width(of: plane),
                        height: source.height(of: plane),
                        rect: part,
                        into: out,
                        outWidth: outWidth,
                        outHeight: outHeight
                    )
                }
            }
        }
    }

    /// Bilinear sampling of one plane. Output pixel `j` samples the source at
    /// `rect.x + (j + 0.5) · rect.width / outWidth − 0.5` (pixel centres), clamped to the plane.
    ///
    /// Separable: each source row the output needs is interpolated horizontally once (into a cache of two
    /// 8.8 fixed-point rows, since consecutive output rows mostly share source rows), then each output row
    /// is a vertical blend of two cached rows. Both loops are C kernels (AVX2 gathers where the CPU has
    /// them, `CPixelKernels`): in Swift they cost four times as much and set the reel's speed.
    static func resample(
        _ plane: UnsafeBufferPointer<UInt8>,
        width: Int,
        height: Int,
        rect: SourceRect,
        into out: UnsafeMutableBufferPointer<UInt8>,
        outWidth: Int,
        outHeight: Int
    ) {
        guard let source = plane.baseAddress, let target = out.baseAddress, width >= 2, height >= 2 else { return }
        let columns = positions(count: outWidth, origin: rect.x, span: rect.width, limit: width)
        let rows = positions(count: outHeight, origin: rect.y, span: rect.height, limit: height)
        let pairs = columns.weight.map { UInt32(256 - UInt32($0)) | UInt32($0) << 16 }
        // The shuffle form (one load and one byte shuffle per 8 pixels) works while 8 outputs span ≤ 16 bytes.
        var bases = [Int32](repeating: 0, count: outWidth / 8 + 1)
        var masks = [UInt8](repeating: 0, count: 2 * outWidth + 16)
        let shuffles = columns.index.withUnsafeBufferPointer { xi in
            drsocial_reel_prepare_shuffle(xi.baseAddress, Int32(outWidth), &bases, &masks) != 0
        }
        let cache = UnsafeMutablePointer<UInt16>.allocate(capacity: 2 * outWidth)
        defer { cache.deallocate() }
        var cachedRow = [-1, -1]  // which source row each cache slot holds
        columns.index.withUnsafeBufferPointer { xIndex in
            pairs.withUnsafeBufferPointer { pairs in
                func horizontal(_ sourceRow: Int) -> UnsafeMutablePointer<UInt16> {
                    if cachedRow[0] == sourceRow { return cache }
                    if cachedRow[1] == sourceRow { return cache + outWidth }
                    // Keep the row next to this one (output rows move down the source): when slot 0 holds it,
                    // fill slot 1, otherwise slot 0.
                    let slot = cachedRow[0] == sourceRow - 1 || cachedRow[0] == sourceRow + 1 ? 1 : 0
                    let line = cache + slot * outWidth
                    // The vector kernels read past a pixel pair (the shuffle loads 16 bytes from a group's first
                    // pixel, the gather 4 from each): only where the rows below hold that many bytes. A narrow
                    // plane (a blurred background's small copy) needs more than one row of them (AddressSanitizer
                    // found the shuffle reading past an 8-pixel-wide plane's end from its next-to-last row).
                    let row = source + sourceRow * width
                    let below = (height - 1 - sourceRow) * width
                    if shuffles, below >= 16 {
                        drsocial_reel_horizontal_shuffle(row, xIndex.baseAddress, bases, masks, pairs.baseAddress, line, Int32(outWidth))
                    } else {
                        drsocial_reel_horizontal(row, xIndex.baseAddress, pairs.baseAddress, line, Int32(outWidth), below >= 4 ? 1 : 0)
                    }
                    cachedRow[slot] = sourceRow
                    return line
                }
                for row in 0..<outHeight {
                    let y = Int(rows.index[row])
                    let fy = UInt32(rows.weight[row])
                    let top = horizontal(y)
                    let bottom = fy == 0 ? top : horizontal(y + 1)
                    drsocial_reel_vertical(top, bottom, fy, target + row * outWidth, Int32(outWidth))
                }
            }
        }
    }

    /// For each output position, the left (or top) source index and the weight (0…256) of the next one.
    /// Indices stay within `0 ..< limit − 1` so the `+1` neighbour exists.
    static func positions(count: Int, origin: Double, span: Double, limit: Int) -> (index: [Int32], weight: [UInt16]) {
        var index = [Int32](repeating: 0, count: count)
        var weight = [UInt16](repeating: 0, count: count)
        let step = span / Double(count)
        let last = Double(limit - 1)
        for position in 0..<count {
            let at = min(max(origin + (Double(position) + 0.5) * step - 0.5, 0), last)
            var whole = Int(at)
            var fraction = Int(((at - Double(whole)) * 256).rounded())
            if fraction == 256 {
                whole += 1
                fraction = 0
            }
            if whole >= limit - 1 {
                whole = limit - 2
                fraction = 256
            }
            index[position] = Int32(max(whole, 0))
            weight[position] = UInt16(fraction)
        }
        return (index, weight)
    }

    /// `a` faded towards `b` by `amount` (0 = all `a`, 1 = all `b`), in place in `a`.
    public static func crossfade(_ a: inout YUVPicture, with b: YUVPicture, amount: Double) {
        let w = Int32(min(max(amount, 0), 1) * 256)
        let v = 256 - w
        func mix(_ target: inout [UInt8], _ other: [UInt8]) {
            target.withUnsafeMutableBufferPointer { t in
                other.withUnsafeBufferPointer { o in
                    let a = t.baseAddress!
                    let b = o.baseAddress!
                    let keep = UInt32(v)
                    let take = UInt32(w)
                    for index in 0..<t.count {
                        a[index] = UInt8(truncatingIfNeeded: (UInt32(a[index]) &* keep &+ UInt32(b[index]) &* take &+ 128) >> 8)
                    }
                }
            }
        }
        for plane in YUVPicture.Plane.allCases { mix(&a[keyPath: plane.samples], b[keyPath: plane.samples]) }
    }

    /// A soft, enlarged copy of `picture` filling `width × height` (for the blurred pad behind fitted video):
    /// shrunk to a 1/16 thumbnail by area averaging, then drawn back up bilinearly.
    public static func blurredFill(_ picture: YUVPicture, width: Int, height: Int) -> YUVPicture {
        let small = max(2, (picture.width / 16) & ~1)
        let smallHeight = max(2, (picture.height / 16) & ~1)
        var thumbnail = YUVPicture(width: small, height: smallHeight)
        for plane in YUVPicture.Plane.allCases {
            let (outWidth, outHeight) = (thumbnail.width(of: plane), thumbnail.height(of: plane))
            let samples = picture[keyPath: plane.samples]
            boxShrink(samples, picture.width(of: plane), picture.height(of: plane), into: &thumbnail[keyPath: plane.samples], outWidth, outHeight)
        }
        // Cover the target: crop the thumbnail to the target's aspect around its centre.
        let scale = max(Double(width) / Double(small), Double(height) / Double(smallHeight))
        let spanX = Double(width) / scale
        let spanY = Double(height) / scale
        var result = YUVPicture(width: width, height: height)
        draw(
            thumbnail,
            rect: SourceRect(x: (Double(small) - spanX) / 2, y: (Double(smallHeight) - spanY) / 2, width: spanX, height: spanY),
            into: &result
        )
        // Darken a little so the fitted picture stands out.
        result.luma.withUnsafeMutableBufferPointer { plane in
            for index in 0..<plane.count { plane[index] = UInt8(16 + (Int(plane[index]) - 16) * 3 / 4) }
        }
        return result
    }

    private static func boxShrink(_ plane: [UInt8], _ width: Int, _ height: Int, into out: inout [UInt8], _ outWidth: Int, _ outHeight: Int) {
        plane.withUnsafeBufferPointer { source in
            for row in 0..<outHeight {
                let y0 = row * height / outHeight
                let y1 = max(y0 + 1, (row + 1) * height / outHeight)
                for column in 0..<outWidth {
                    let x0 = column * width / outWidth
                    let x1 = max(x0 + 1, (column + 1) * width / outWidth)
                    var sum = 0
                    for y in y0..<y1 { for x in x0..<x1 { sum += Int(source[y * width + x]) } }
                    out[row * outWidth + column] = UInt8(sum / ((y1 - y0) * (x1 - x0)))
                }
            }
        }
    }

    /// Copies `picture` into `target` with its top-left corner at (`x`, `y`) (both even), clipped.
    public static func paste(_ picture: YUVPicture, into target: inout YUVPicture, x: Int, y: Int) {
        func copy(
            _ source: [UInt8],
            _ width: Int,
            _ height: Int,
            into plane: inout [UInt8],
            _ planeWidth: Int,
            _ planeHeight: Int,
            _ x: Int,
            _ y: Int
        ) {
            for row in 0..<height where y + row >= 0 && y + row < planeHeight {
                let start = max(0, -x)
                let end = min(width, planeWidth - x)
                guard start < end else { continue }
                for column in start..<end { plane[(y + row) * planeWidth + x + column] = source[row * width + column] }
            }
        }
        for plane in YUVPicture.Plane.allCases {
            let (planeWidth, planeHeight) = (target.width(of: plane), target.height(of: plane))
            let samples = picture[keyPath: plane.samples]
            let (width, height) = (picture.width(of: plane), picture.height(of: plane))
            copy(samples, width, height, into: &target[keyPath: plane.samples], planeWidth, planeHeight, x / plane.subsampling, y / plane.subsampling)
        }
    }
}
