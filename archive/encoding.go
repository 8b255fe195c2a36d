package archive

import (
	"bufio"
	"errors"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// textReader returns the text of an export file as UTF-8, whatever
// Excel or Notepad saved it as: a UTF-8 byte-order mark is dropped, and
// UTF-16 with a byte-order mark ("Unicode text") is decoded. UTF-16
// without a mark cannot be told apart reliably from other encodings, so
// it is refused with a line that says what to do.
func textReader(br *bufio.Reader) (*bufio.Reader, error) {
	head, _ := br.Peek(4)
	switch {
	case len(head) >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF:
		br.Discard(3)
		return br, nil
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
	return br, nil
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
