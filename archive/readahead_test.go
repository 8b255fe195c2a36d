package archive

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestReadAhead(t *testing.T) {
	data := make([]byte, 100_000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	t.Run("all the data, in order", func(t *testing.T) {
		ra := newReadAhead(iotest.HalfReader(bytes.NewReader(data)), 3, 1000)
		defer ra.Close()
		got, err := io.ReadAll(iotest.OneByteReader(ra))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, err %v; want %d bytes", len(got), err, len(data))
		}
	})
	t.Run("the source's error after its data", func(t *testing.T) {
		bad := errors.New("checksum mismatch")
		src := io.MultiReader(bytes.NewReader(data[:5000]), iotest.ErrReader(bad))
		ra := newReadAhead(src, 2, 4096)
		defer ra.Close()
		got, err := io.ReadAll(ra)
		if !errors.Is(err, bad) || !bytes.Equal(got, data[:5000]) {
			t.Fatalf("read %d bytes, err %v; want 5000 bytes, then %v", len(got), err, bad)
		}
		if _, err := ra.Read(make([]byte, 10)); !errors.Is(err, bad) {
			t.Errorf("read after the error: %v", err)
		}
	})
	t.Run("close early", func(t *testing.T) {
		src := &countingReader{r: bytes.NewReader(data)}
		ra := newReadAhead(src, 2, 1000)
		buf := make([]byte, 10)
		if _, err := io.ReadFull(ra, buf); err != nil {
			t.Fatal(err)
		}
		ra.Close()
		n := src.n
		ra.Close() // twice is harmless
		if src.n != n || n > 3000 {
			t.Errorf("source read %d bytes, then %d after Close; want at most 3 buffers and nothing after", n, src.n)
		}
	})
}
