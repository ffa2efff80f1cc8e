extension YUVPicture {
    /// One of a picture's three planes, in libav's order (Y, U, V): luma at full size, the two chroma planes at
    /// half size each way. Code that treats every plane alike loops over `allCases`.
    public enum Plane: Int, CaseIterable, Sendable {
        case luma, blue, red

        /// How many pixels of the picture one sample of the plane covers, each way: 1 for luma, 2 for chroma.
        public var subsampling: Int { self == .luma ? 1 : 2 }

        /// Where a picture keeps this plane's samples.
        public var samples: WritableKeyPath<YUVPicture, [UInt8]> {
            switch self {
            case .luma: \.luma
            case .blue: \.blue
            case .red: \.red
            }
        }
    }

    /// The width of `plane` in samples.
    public func width(of plane: Plane) -> Int { width / plane.subsampling }

    /// The height of `plane` in samples.
    public func height(of plane: Plane) -> Int { height / plane.subsampling }
}
