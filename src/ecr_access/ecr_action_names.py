"""The action this project is about, by name: apart from the catalog, so small scripts need not carry it."""

# Returns an S3 presigned URL for one image layer: whoever holds the URL can download it.
GET_DOWNLOAD_URL_FOR_LAYER = "ecr:GetDownloadUrlForLayer"
