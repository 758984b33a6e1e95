// SPDX-License-Identifier: GPL-2.0
//! The smallest static x86-64 program that exits 0: an ELF header, one
//! PT_LOAD segment that maps the whole file, and three instructions. The
//! bench's interpreter and its directly executed baseline, so that what a
//! successful exec costs is binfmt_misc and the exec path, not a libc's
//! start-up.

const BASE: u64 = 0x40_0000;
const EHDR: usize = 64;
const PHDR: usize = 56;
/// mov eax, 60 (exit); xor edi, edi; syscall
const CODE: [u8; 9] = [0xb8, 60, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05];

pub fn exit0() -> Vec<u8> {
    let size = (EHDR + PHDR + CODE.len()) as u64;
    let mut v = Vec::with_capacity(size as usize);
    // e_ident: 64-bit, little-endian, version 1, System V ABI.
    v.extend_from_slice(b"\x7fELF\x02\x01\x01\x00");
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&2u16.to_le_bytes()); // e_type: ET_EXEC
    v.extend_from_slice(&62u16.to_le_bytes()); // e_machine: x86-64
    v.extend_from_slice(&1u32.to_le_bytes()); // e_version
    v.extend_from_slice(&(BASE + (EHDR + PHDR) as u64).to_le_bytes()); // e_entry
    v.extend_from_slice(&(EHDR as u64).to_le_bytes()); // e_phoff
    v.extend_from_slice(&0u64.to_le_bytes()); // e_shoff: no sections
    v.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    v.extend_from_slice(&(EHDR as u16).to_le_bytes()); // e_ehsize
    v.extend_from_slice(&(PHDR as u16).to_le_bytes()); // e_phentsize
    v.extend_from_slice(&1u16.to_le_bytes()); // e_phnum
    v.extend_from_slice(&[0; 6]); // e_shentsize, e_shnum, e_shstrndx
    v.extend_from_slice(&1u32.to_le_bytes()); // p_type: PT_LOAD
    v.extend_from_slice(&5u32.to_le_bytes()); // p_flags: R, X
    v.extend_from_slice(&0u64.to_le_bytes()); // p_offset
    v.extend_from_slice(&BASE.to_le_bytes()); // p_vaddr
    v.extend_from_slice(&BASE.to_le_bytes()); // p_paddr
    v.extend_from_slice(&size.to_le_bytes()); // p_filesz
    v.extend_from_slice(&size.to_le_bytes()); // p_memsz
    v.extend_from_slice(&0x1000u64.to_le_bytes()); // p_align
    v.extend_from_slice(&CODE);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u64_at(v: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(v[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn layout() {
        let v = exit0();
        assert_eq!(v.len(), EHDR + PHDR + CODE.len());
        // The entry point is the code, at the end of the one segment.
        assert_eq!(u64_at(&v, 24) - BASE, (EHDR + PHDR) as u64);
        assert_eq!(&v[EHDR + PHDR..], &CODE);
        // The program header is where e_phoff says, and covers the file.
        assert_eq!(u64_at(&v, 32), EHDR as u64);
        assert_eq!(u64_at(&v, EHDR + 32), v.len() as u64);
    }
}
