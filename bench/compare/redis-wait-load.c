/*
 * Closed-loop load for Redis with synchronous replication: each connection runs
 * SET key value, then WAIT <replicas> 0, and counts the pair as one write once WAIT
 * reports at least <replicas> acks. Prints one line: writes, seconds, writes/s, p50 and
 * p99 latency in ms, and writes WAIT under-acknowledged (should be 0).
 *
 * Build: cc -O2 -o redis-wait-load redis-wait-load.c -lhiredis -lpthread
 * Usage: redis-wait-load HOST PORT CONNECTIONS SECONDS REPLICAS
 */
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SAMPLES_PER_THREAD 1000000

typedef struct {
    const char *host;
    int port;
    int id;
    int replicas;
    double seconds;
    long writes;
    long short_acked;
    float *latencies_ms;
    int failed;
} worker;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *run(void *arg) {
    worker *w = arg;
    redisContext *c = redisConnect(w->host, w->port);
    if (c == NULL || c->err) {
        fprintf(stderr, "connect: %s\n", c ? c->errstr : "out of memory");
        w->failed = 1;
        return NULL;
    }
    char key[32], value[32];
    double end = now_s() + w->seconds;
    long i = 0;
    while (w->writes < MAX_SAMPLES_PER_THREAD) {
        double start = now_s();
        if (start >= end) break;
        snprintf(key, sizeof key, "key-%ld", (w->id * 1000003L + i) % 10);
        snprintf(value, sizeof value, "value-%d-%ld", w->id, i);
        redisReply *set = redisCommand(c, "SET %s %s", key, value);
        if (set == NULL || set->type == REDIS_REPLY_ERROR) { w->failed = 1; break; }
        freeReplyObject(set);
        redisReply *wait = redisCommand(c, "WAIT %d 0", w->replicas);
        if (wait == NULL || wait->type != REDIS_REPLY_INTEGER) { w->failed = 1; break; }
        if (wait->integer < w->replicas) w->short_acked++;
        freeReplyObject(wait);
        w->latencies_ms[w->writes++] = (float)((now_s() - start) * 1000.0);
        i++;
    }
    redisFree(c);
    return NULL;
}

static int compare_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT CONNECTIONS SECONDS REPLICAS\n", argv[0]);
        return 2;
    }
    int connections = atoi(argv[3]);
    double seconds = atof(argv[4]);
    worker *workers = calloc(connections, sizeof *workers);
    pthread_t *threads = calloc(connections, sizeof *threads);
    double started = now_s();
    for (int i = 0; i < connections; i++) {
        workers[i] = (worker){ .host = argv[1], .port = atoi(argv[2]), .id = i, .replicas = atoi(argv[5]), .seconds = seconds,
                               .latencies_ms = malloc(sizeof(float) * MAX_SAMPLES_PER_THREAD) };
        pthread_create(&threads[i], NULL, run, &workers[i]);
    }
    long total = 0, short_acked = 0;
    int failed = 0;
    for (int i = 0; i < connections; i++) {
        pthread_join(threads[i], NULL);
        total += workers[i].writes;
        short_acked += workers[i].short_acked;
        failed |= workers[i].failed;
    }
    double elapsed = now_s() - started;
    float *all = malloc(sizeof(float) * (total > 0 ? total : 1));
    long at = 0;
    for (int i = 0; i < connections; i++) {
        memcpy(all + at, workers[i].latencies_ms, sizeof(float) * workers[i].writes);
        at += workers[i].writes;
    }
    qsort(all, total, sizeof(float), compare_float);
    double p50 = total ? all[(long)(total * 0.50)] : 0, p99 = total ? all[(long)(total * 0.99)] : 0;
    printf("writes=%ld seconds=%.2f writes_per_s=%.0f p50_ms=%.3f p99_ms=%.3f short_acked=%ld\n",
           total, elapsed, total / elapsed, p50, p99, short_acked);
    return failed ? 1 : 0;
}
