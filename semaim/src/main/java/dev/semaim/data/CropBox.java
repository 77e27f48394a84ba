package dev.semaim.data;

/** A crop region in pixels: rows [top, top+height), columns [left, left+width) (torchvision's i, j, h, w). */
public record CropBox(int top, int left, int height, int width) {
    public Image applyTo(Image image) {
        return image.crop(top, left, height, width);
    }
}
