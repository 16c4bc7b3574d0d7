/// libFuzzer's driver, which each harness's entry point hands control to: SwiftPM links an
/// executable target's entry point as `<Target>_main`, and that calls `runLibFuzzer`, which runs
/// `fuzz` (the harness's `LLVMFuzzerTestOneInput`) on every input.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

func runLibFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
