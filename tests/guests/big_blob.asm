; A 5 MiB blob of initialized data for suite-mb1-big.elf (tests/guests/
; guests.mk): it makes the image larger than 4 MiB, so that linked at 1 MiB
; it covers [1 MiB, 6 MiB), where Nestor used to live. Page p holds 512
; qwords of BIG_BLOB_TAG << 32 | p; the suite's image_loaded test checks
; every one (tests/guests/suite.c), so a page loaded twice, dropped or left
; zero shows.

BIG_BLOB_PAGES          equ 1280        ; 5 MiB
BIG_BLOB_TAG            equ 0x4e424947  ; "NBIG"

global big_blob, big_blob_end

section .data
align 4096
big_blob:
%assign p 0
%rep BIG_BLOB_PAGES
        times 512 dq (BIG_BLOB_TAG << 32) | p
%assign p p + 1
%endrep
big_blob_end:
