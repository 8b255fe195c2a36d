package archive

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// Characters split across reads of any size pass whole.
func TestUTF8CheckSplitReads(t *testing.T) {
	text := strings.Repeat("a,é☕𝄞\n", 50)
	for _, r := range []io.Reader{iotest.OneByteReader(strings.NewReader(text)), iotest.HalfReader(strings.NewReader(text))} {
		br, err := textReader(bufio.NewReader(r), true)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(br)
		if err != nil || string(got) != text {
			t.Errorf("got %q, %v", got, err)
		}
	}
	br, _ := textReader(bufio.NewReader(iotest.OneByteReader(strings.NewReader("ok\nok\n\xe9"))), true)
	if _, err := io.ReadAll(br); err == nil || !strings.HasPrefix(err.Error(), "line 3: the text is not UTF-8") {
		t.Errorf("err = %v", err)
	}
}
