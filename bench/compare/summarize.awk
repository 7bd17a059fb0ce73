# Medians over repetitions of runs.tsv, and LeaderKV / Redis ratios. Run with -F'\t'.
function median(list,    n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function range(list,    n, v, i, lo, hi) {
    n = split(list, v, " "); lo = hi = v[1] + 0
    for (i = 2; i <= n; i++) { if (v[i] + 0 < lo) lo = v[i] + 0; if (v[i] + 0 > hi) hi = v[i] + 0 }
    return sprintf("%.0f–%.0f", lo, hi)
}
NR == 1 { next }
{
    k = $1 SUBSEP $3 SUBSEP $4
    if (!(k in tput)) order[++count] = k
    tput[k] = tput[k] " " $7; p50[k] = p50[k] " " $8; p99[k] = p99[k] " " $9
    cpu[k] = cpu[k] " " $11; errors[k] += $10; reps[k]++; detail[k] = $12
}
END {
    print "| system | scenario | connections | reps | writes/s (median, range) | p50 ms | p99 ms | CPU µs/write, all processes | errors | last run's CPU split (µs/write) |"
    print "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
    for (i = 1; i <= count; i++) {
        k = order[i]; split(k, f, SUBSEP)
        printf "| %s | %s | %s | %d | %.0f (%s) | %.3f | %.3f | %.1f | %d | %s |\n", f[1], f[2], f[3], reps[k],
            median(tput[k]), range(tput[k]), median(p50[k]), median(p99[k]), median(cpu[k]), errors[k], detail[k]
    }
    print ""
    print "| ratio (LeaderKV / Redis, medians) | throughput | p50 | p99 | CPU per write |"
    print "|---|---:|---:|---:|---:|"
    split("warm,64 warm,10 durable,64", wanted, " ")
    for (i = 1; i <= 3; i++) {
        split(wanted[i], w, ","); a = "leaderkv" SUBSEP w[1] SUBSEP w[2]; b = "redis" SUBSEP w[1] SUBSEP w[2]
        if (!(a in tput) || !(b in tput)) continue
        printf "| %s, %s connections | %.2f× | %.2f× | %.2f× | %.2f× |\n", w[1], w[2],
            median(tput[a]) / median(tput[b]), median(p50[a]) / median(p50[b]), median(p99[a]) / median(p99[b]), median(cpu[a]) / median(cpu[b])
    }
    cold = "leaderkv" SUBSEP "cold" SUBSEP "64"; warm = "leaderkv" SUBSEP "warm" SUBSEP "64"
    if ((cold in tput) && (warm in tput))
        printf "\nLeaderKV cold start: the first seconds of writes run at %.0f %% of warm throughput (medians).\n", 100 * median(tput[cold]) / median(tput[warm])
}
