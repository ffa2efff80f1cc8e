import Media

/// The connected pieces (8-connected) a caption band's colour makes inside its strip, and whether they can
/// be a line of letters.
///
/// A smooth gradient quantised to 4 bits a channel (a sky, a fractal, a vignette) puts each colour on a
/// contour: one or two long curves that the caption search takes for a band of text, and Tesseract then
/// reads nothing from at a cost (`bench/request`'s fractal still: eight such bands, 1.2 s of its 1.4 s of
/// OCR; `testmedia/photo.jpg`: three of its eight bands). Letters make many pieces of like size. Measured on
/// the caption fixtures (and `caption-video.mp4`'s frame), the largest piece of a text band holds 6–10 % of its
/// colour; on the fractal's contour bands 48–97 %, with at most one other piece a fifth its size.
enum CaptionGlyphs {
    /// A band whose largest piece holds at least this share of its colour, with at most one other piece a
    /// fifth its size, is one or two shapes, not a line of letters. A caption of one or two letters alone in
    /// its colour is left to the page pass.
    static let dominantShare = 0.45

    /// Whether `band` is one or two shapes rather than letters (see above). Caption boxes are never: their
    /// colour is the box, whose text is everything else.
    static func isShape(_ band: CaptionBand, in image: RGBImage) -> Bool {
        guard !band.isBox else { return false }
        let found = pieces(in: image, band: band)
        guard let largest = found.first else { return false }
        let total = found.reduce(0) { $0 + $1.pixels }
        guard Double(largest.pixels) >= dominantShare * Double(total) else { return false }
        return found.dropFirst().filter { 5 * $0.pixels >= largest.pixels }.count <= 1
    }

    struct Piece: Equatable {
        var pixels = 0
        var left = Int.max, right = Int.min, top = Int.max, bottom = Int.min
        var width: Int { right - left + 1 }
        var height: Int { bottom - top + 1 }
    }

    /// The pieces of `band`'s colour bin inside its strip, largest first.
    static func pieces(in image: RGBImage, band: CaptionBand) -> [Piece] {
        let width = band.right - band.left + 1
        let height = band.bottom - band.top
        guard width > 0, height > 0 else { return [] }
        let bin = (band.red >> 4) << 8 | (band.green >> 4) << 4 | band.blue >> 4
        var label = [Int32](repeating: 0, count: width * height)  // 0: not the colour, -1: the colour, unlabelled
        image.pixels.withUnsafeBufferPointer { rgb in
            for y in 0..<height {
                let row = (band.top + y) * image.width + band.left
                for x in 0..<width {
                    let p = 3 * (row + x)
                    if (Int(rgb[p]) >> 4) << 8 | (Int(rgb[p + 1]) >> 4) << 4 | Int(rgb[p + 2]) >> 4 == bin { label[y * width + x] = -1 }
                }
            }
        }
        var pieces: [Piece] = []
        var stack: [Int] = []
        for start in 0..<label.count where label[start] == -1 {
            let id = Int32(pieces.count + 1)
            var piece = Piece()
            label[start] = id
            stack.append(start)
            while let index = stack.popLast() {
                let x = index % width
                let y = index / width
                piece.pixels += 1
                piece.left = min(piece.left, x)
                piece.right = max(piece.right, x)
                piece.top = min(piece.top, y)
                piece.bottom = max(piece.bottom, y)
                for dy in -1...1 {
                    let ny = y + dy
                    guard ny >= 0, ny < height else { continue }
                    for dx in -1...1 {
                        let nx = x + dx
                        guard nx >= 0, nx < width else { continue }
                        let neighbour = ny * width + nx
                        if label[neighbour] == -1 {
                            label[neighbour] = id
                            stack.append(neighbour)
                        }
                    }
                }
            }
            pieces.append(piece)
        }
        return pieces.sorted { $0.pixels > $1.pixels }
    }
}
