package archive

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// textReader returns the text of an export file as UTF-8, whatever
// Excel or Notepad saved it as: a UTF-8 byte-order mark is dropped, and
// UTF-16 with a byte-order mark ("Unicode text") is decoded. UTF-16
// without a mark cannot be told apart reliably from other encodings, so
// it is refused with a line that says what to do; so is a CSV without a
// mark that is not UTF-8 (Excel's plain "CSV" is in the system's code
// page, which the file does not name).
func textReader(br *bufio.Reader, csv bool) (*bufio.Reader, error) {
	head, _ := br.Peek(4)
	switch {
	case len(head) >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF:
		br.Discard(3)
		return br, nil // a UTF-8 mark says what the rest is
	case len(head) >= 2 && head[0] == 0xFF && head[1] == 0xFE:
		br.Discard(2)
		return bufio.NewReaderSize(&utf16Reader{r: br}, 64<<10), nil
	case len(head) >= 2 && head[0] == 0xFE && head[1] == 0xFF:
		br.Discard(2)
		return bufio.NewReaderSize(&utf16Reader{r: br, big: true}, 64<<10), nil
	case len(head) >= 4 && ((head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0) ||
		(head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0)):
		return nil, errors.New("the file looks like UTF-16 text without a byte-order mark; save it as UTF-8 (in Excel: CSV UTF-8)")
	}
	if csv {
		return bufio.NewReaderSize(&utf8Check{r: br, line: 1}, 64<<10), nil
	}
	return br, nil
}

// utf8Check passes UTF-8 text through and stops at the first byte that
// is not, naming its line.
type utf8Check struct {
	r    io.Reader
	line int
	tail []byte // an incomplete character at the end of the last read
	err  error
}

func (u *utf8Check) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	if len(p) <= utf8.UTFMax {
		return 0, io.ErrShortBuffer
	}
	k := copy(p, u.tail)
	n, err := u.r.Read(p[k:])
	n += k
	u.tail = u.tail[:0]
	// Hold back an incomplete character at the end, unless the input ended.
	end := n
	if err == nil {
		for i := 1; i < utf8.UTFMax && i <= end; i++ {
			if c := p[end-i]; c >= 0xC0 {
				if !utf8.FullRune(p[end-i : end]) {
					end -= i
				}
				break
			} else if c < 0x80 {
				break
			}
		}
	}
	u.tail = append(u.tail, p[end:n]...)
	for i := 0; i < end; {
		c := p[i]
		if c < utf8.RuneSelf {
			if c == '\n' {
				u.line++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:end])
		if r == utf8.RuneError && size <= 1 {
			u.err = fmt.Errorf("line %d: the text is not UTF-8 (Excel's plain \"CSV\" uses your system's code page); save it as \"CSV UTF-8\"", u.line)
			return i, nil
		}
		i += size
	}
	return end, err
}

// utf16Reader decodes UTF-16 (after its byte-order mark) into UTF-8.
type utf16Reader struct {
	r   *bufio.Reader
	big bool
	out []byte
	pos int
	err error
}

var errOddUTF16 = errors.New("the UTF-16 text ends in the middle of a character (truncated?)")

func (u *utf16Reader) unit() (uint16, error) {
	var b [2]byte
	n, err := io.ReadFull(u.r, b[:])
	if err == io.ErrUnexpectedEOF || (err == nil && n < 2) {
		return 0, errOddUTF16
	}
	if err != nil {
		return 0, err
	}
	if u.big {
		return uint16(b[0])<<8 | uint16(b[1]), nil
	}
	return uint16(b[1])<<8 | uint16(b[0]), nil
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	if u.pos == len(u.out) {
		u.out, u.pos = u.out[:0], 0
		for len(u.out) < 4096 && u.err == nil {
			c, err := u.unit()
			if err != nil {
				u.err = err
				break
			}
			r := rune(c)
			if utf16.IsSurrogate(r) {
				c2, err := u.unit()
				if err != nil {
					u.err = err
					break
				}
				r = utf16.DecodeRune(r, rune(c2))
			}
			u.out = utf8.AppendRune(u.out, r)
		}
	}
	n := copy(p, u.out[u.pos:])
	u.pos += n
	if n > 0 {
		return n, nil
	}
	return 0, u.err
}
