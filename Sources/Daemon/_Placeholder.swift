@main struct _Main { static func main() {} }
