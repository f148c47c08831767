/* Small compiler helpers shared by all code (hypervisor and host tests). */
#ifndef NESTOR_LIB_COMPILER_H
#define NESTOR_LIB_COMPILER_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#define UNUSED __attribute__((unused))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define PAGE_SIZE 4096ULL
#define PAGE_SHIFT 12

/* Compiler barrier: the compiler may not move memory accesses across it. */
#define barrier() __asm__ __volatile__("" ::: "memory")

#endif
