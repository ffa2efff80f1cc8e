import Media
import Testing

/// `YUVPicture.rotated` (8×8 blocks transposed in SSE2 registers, edges one by one) against the plain
/// definition of a quarter turn, on sizes whose planes do and do not fill whole blocks.
struct PictureRotationTests {
    /// Where pixel (x, y) of a `width × height` plane lands after a clockwise turn, by definition.
    static func turned(_ x: Int, _ y: Int, width: Int, height: Int, clockwise: Int) -> (x: Int, y: Int) {
        switch clockwise {
        case 90: (height - 1 - y, x)
        case 180: (width - 1 - x, height - 1 - y)
        case 270: (y, width - 1 - x)
        default: (x, y)
        }
    }

    static func check(_ plane: [UInt8], _ width: Int, _ height: Int, against result: [UInt8], clockwise: Int) -> Int {
        let resultWidth = clockwise == 90 || clockwise == 270 ? height : width
        var wrong = 0
        for y in 0..<height {
            for x in 0..<width {
                let to = turned(x, y, width: width, height: height, clockwise: clockwise)
                if result[to.y * resultWidth + to.x] != plane[y * width + x] { wrong += 1 }
            }
        }
        return wrong
    }

    @Test(arguments: [(1080, 1920), (1920, 1080), (14, 6), (16, 16), (34, 18), (2, 2)], [90, 180, 270])
    func everyPixelLandsWhereAQuarterTurnPutsIt(size: (Int, Int), clockwise: Int) {
        var generator = SystemRandomNumberGenerator()
        var picture = YUVPicture(width: size.0, height: size.1)
        for index in picture.luma.indices { picture.luma[index] = UInt8.random(in: 0...255, using: &generator) }
        for index in picture.blue.indices { picture.blue[index] = UInt8.random(in: 0...255, using: &generator) }
        for index in picture.red.indices { picture.red[index] = UInt8.random(in: 0...255, using: &generator) }
        let result = picture.rotated(clockwise: clockwise)
        let sideways = clockwise != 180
        #expect(result.width == (sideways ? size.1 : size.0) && result.height == (sideways ? size.0 : size.1))
        #expect(Self.check(picture.luma, picture.width, picture.height, against: result.luma, clockwise: clockwise) == 0)
        #expect(Self.check(picture.blue, picture.chromaWidth, picture.chromaHeight, against: result.blue, clockwise: clockwise) == 0)
        #expect(Self.check(picture.red, picture.chromaWidth, picture.chromaHeight, against: result.red, clockwise: clockwise) == 0)
        // Four quarter turns give the picture back.
        let round = result.rotated(clockwise: clockwise).rotated(clockwise: clockwise).rotated(clockwise: clockwise)
        #expect(round.luma == picture.luma && round.blue == picture.blue && round.red == picture.red)
    }
}
