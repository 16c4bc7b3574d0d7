extension Director {
    /// Writes the release families: the running serial and the releases that could not be installed.
    func writeReleaseMetrics(to writer: inout PrometheusTextWriter) {
        writer.family(.configurationSerial)
        writer.sample(.configurationSerial, [:], runningRelease?.serial ?? 0)
        writer.family(.configurationInstallFailures)
        writer.sample(.configurationInstallFailures, [:], releases.installFailures)
    }
}
