import Glibc
import Testing

@testable import Reels

/// The resampler's vector kernels read past a pixel pair; they must never read past the plane. Each plane here
/// ends exactly at a page the process may not touch, so a read past its end kills the test run in any build
/// (AddressSanitizer found one: the shuffle kernel read 16 bytes from the next-to-last row of an 8-pixel-wide
/// plane, `scripts/test --sanitize address`).
struct PictureResamplerBoundsTests {
    @Test(arguments: [(2, 2), (3, 5), (8, 4), (8, 2), (12, 3), (15, 2), (16, 2), (17, 3)])
    func narrowPlanesAreReadWithinTheirBytes(width: Int, height: Int) throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let bytes = width * height
        let mapped = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(mapped != MAP_FAILED)
        defer { munmap(mapped, 2 * page) }
        #expect(mprotect(mapped + page, page, PROT_NONE) == 0)
        let plane = (mapped + page - bytes).assumingMemoryBound(to: UInt8.self)
        for index in 0..<bytes { plane[index] = UInt8(truncatingIfNeeded: index * 37) }
        // Upscaled to a 1080-wide row: 8 outputs per few source bytes, the shuffle kernel's case.
        var out = [UInt8](repeating: 0, count: 1080 * 64)
        out.withUnsafeMutableBufferPointer { target in
            PictureResampler.resample(
                UnsafeBufferPointer(start: plane, count: bytes),
                width: width,
                height: height,
                rect: SourceRect(x: 0, y: 0, width: Double(width), height: Double(height)),
                into: target,
                outWidth: 1080,
                outHeight: 64
            )
        }
        // The last output row samples the last source row: its last pixel's value.
        #expect(out[1080 * 64 - 1] == plane[bytes - 1])
    }
}
