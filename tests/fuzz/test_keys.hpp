#pragma once
// Fixed keys for the fuzz targets and the seed generator, so that seed tokens signed by
// make_seeds verify in fuzz_jws and fuzz_jwk. Test keys only: they protect nothing.
namespace gatehouse::fuzz {

inline constexpr const char* kEs256Pem = R"PEM(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgrUML0vuR0ztE9LH/
JIrnCk8wSOxFTDcT4VaU7R0/XoahRANCAAQXUHzEt5iWdUZMQroWO8XdCKDsDu4/
qfHGK7jkRMZEf6YVnbxvXwEtqfP+w23f597qh8TS8NqyLYEhvDAdh66h
-----END PRIVATE KEY-----
)PEM";

inline constexpr const char* kEdDsaPem = R"PEM(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIPxfgQ9CddfIIEE/+4C/bYGVqrYzrV/XbDjaHTILBcCT
-----END PRIVATE KEY-----
)PEM";

inline constexpr const char* kRs256Pem = R"PEM(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCgt1KBm2zTvpeI
/T5EuyloioiSZLbbstJrlnHeqB9gJhoGZiHojm76d9JD4a/xuUU9TVUOTXeY2mrF
ywSfWSMDqQdvIEKB6GC3qdFgqcCqlVEH+o23XlK9wYteSpQnhbdVNyGbGlbl9IhM
Tz2zP2viebfkormGRw9kSnXvfWKOG4RHLkhf+xzFSkvYzBSkDX0UTP5BJ4EaZ6yJ
ZWl2nusazZ2cvxKIQHC5ojux+waoyarSB9i66iufHokz6EcRPKhMVMzgRTmwiWSy
j0ZfesDhRI8ECeJ+7zsGzKwPnHll1IVdaYlUJ6+SGiTzXfXx17Ks5CW4QbhwVxK3
kbbyAJ29AgMBAAECggEAPS0bFGfH2KATiZswQTRnMjqNewAoVN+wVjDJvoILk2td
e7MT1DSnjOLgYGN/uEkYUJnntw6I6F+3xfueElP5TpLgWA4VEuMUMcVMBHoJc0Vs
N1fJ6xNV9pI+TVGhLJwrKZ5XRfWUP2tCGJ4PM/R/yhEgDUFd0n2pH7lyRAvb4JCB
beyjPRKWa94A0W4hYcOeui+RDponK9LCBXnMAVUB+JW6qCec4DeE8G73MUEezo6D
YhDEG8jlVBlIOzautLY1/s6Ykvfz2S0MlmX8da/4ylz+xzhiI34q4fXs/53aZ2VR
C2SsYC8rh/ET4Qzdy53KFj3hCNc1MfZPeN/d2DEtBwKBgQDNarxfUv0ib2zr8o05
gEDqEmD/0IwBnLAxOQO8NWTEnbac4EiQ0zW5rQFd4jn66zLaEDd6UZcVAGzPn6+M
Ff5e4HZdT7DME19fbDcIijjTMShdmYGGW5N813STnx+USr+7EHYTyzxyTdvaACVJ
wK1XPC0/ftkgDyfo5sWqETeSuwKBgQDISrGS6jIRUUnnOCwj32CiR4AD20Cv5vGP
lDcIjItv9pwk6nmLPLdgRQDhle9bgpb+45BiOSUFcQHBKvHtx3pKnzAh6r8Jp+4T
6fx9pS+jAhmqyYqWlM0bqjpaAf0U/uzd34U2TVZly4fgxKz9B+QXadbbe5xy1FF4
QZKSIQe15wKBgQCmqElKgXc0X/ib+X7QvxhrkBu4kMd2a1ybouk/4oXt6xMEdgcJ
0QJOsWlhdTCbPgVU3EFWcSnFdUHStXjki9eDvFLr48LJ35HKRm7j89ikp8ZbIjbu
/g9MAzXmqvwhAQBLUdCqwII7LqYHWYTnMHayRvVjBZQ9KW60y75k+3D+DwKBgFOC
eSl1RizcRMEINbc7QrJGt4RkHUN6OguQU6XX26dyHkZyEP1R8m9MNgLYnfT8rPJX
dXLOurXbGU0uF7L5ce69EreBheeDwgtBiwnkHsmLbaI85/DC2AYJ4sx2ecwQQjh8
IrGyayyEQQIhXrMdYCe29GOM1X03M0S9qlwNM4bPAoGAXC3JhwnAD+baegU63/lm
ltvNjuD4d+0MmU+ycDEwNAMyXe30eGaLnIEydjeGOqbPAR3HEnKjQtOAs+kF0Ee+
GM8xU5F8KP5XbrBTUMvFVFVCKpmVl4eljZriCaUrXFUzylXvjhfIH0izYsXIjpic
uH36hEjpvQch66ha77OesdM=
-----END PRIVATE KEY-----
)PEM";

}  // namespace gatehouse::fuzz
