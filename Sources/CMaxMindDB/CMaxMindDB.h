// libmaxminddb from Debian's libmaxminddb-dev, for client locations from MaxMind databases
// (MeridianCore/Geo/GeoDatabase.swift).
#include <maxminddb.h>
#include <sys/syscall.h>
#include <unistd.h>

// memfd_create(2) with MFD_CLOEXEC, for the private copy GeoDatabase maps (glibc declares the
// function only under _GNU_SOURCE, which Swift's Glibc module is not built with).
static inline int meridian_memfd_create(const char *name) {
    return (int)syscall(SYS_memfd_create, name, 1u /* MFD_CLOEXEC */);
}
