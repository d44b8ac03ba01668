import NIOCore

/// `GET /openapi.json`: the OpenAPI 3.0 document of every route the reader answers (SPEC §7; seed 003's API docs).
/// Kept beside the routes it describes (`ReaderRoutes`); a test checks that each registered route is in it.
enum OpenAPIDocument {
    private static let json: [UInt8] = Array(text.utf8)
    /// The answer's bytes and ETag, made once.
    static let body = ByteBuffer(bytes: json)
    static let etag = HTTPCaching.etag(of: json)

    private static let text = #"""
    {
      "openapi": "3.0.3",
      "info": {
        "title": "Sluice reader",
        "version": "1.0.0",
        "description": "The read-only side of Sluice. Writes are JSON request files dropped into inbox/ (see the README); this API reads what they made: files, pets, image tasks, receipts. GET and HEAD only; any other method answers 405. When the reader runs with an API key (SLUICE_API_KEY or --api-key), every route but /healthz and the browse page itself (/ and /index.html, which hold no data) needs the X-API-KEY header, else 401. Every answer with a body carries a strong ETag (and files a Last-Modified); a matching If-None-Match or If-Modified-Since answers 304. Files take one Range (206, 416)."
      },
      "servers": [
        {
          "url": "/"
        }
      ],
      "security": [
        {},
        {
          "ApiKey": []
        }
      ],
      "paths": {
        "/healthz": {
          "get": {
            "summary": "Liveness",
            "operationId": "healthz",
            "security": [],
            "responses": {
              "200": {
                "description": "The reader is up",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "required": [
                        "status"
                      ],
                      "properties": {
                        "status": {
                          "type": "string",
                          "enum": [
                            "ok"
                          ]
                        }
                      }
                    }
                  }
                }
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        },
        "/files": {
          "get": {
            "summary": "Files in the order they were added, a keyset page at a time (seed 000)",
            "operationId": "listFiles",
            "parameters": [
              {
                "$ref": "#/components/parameters/PerPage"
              },
              {
                "$ref": "#/components/parameters/ShowAfterId"
              }
            ],
            "responses": {
              "200": {
                "description": "A page of files",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "required": [
                        "files"
                      ],
                      "properties": {
                        "files": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/File"
                          }
                        }
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              },
              "422": {
                "$ref": "#/components/responses/InvalidQuery"
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        },
        "/file/{id}": {
          "get": {
            "summary": "One file, or {} when there is none (seed 000)",
            "operationId": "getFile",
            "parameters": [
              {
                "$ref": "#/components/parameters/Id"
              }
            ],
            "responses": {
              "200": {
                "description": "The file, or an empty object",
                "content": {
                  "application/json": {
                    "schema": {
                      "oneOf": [
                        {
                          "$ref": "#/components/schemas/File"
                        },
                        {
                          "type": "object",
                          "maxProperties": 0
                        }
                      ]
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        },
        "/file/{id}/download": {
          "get": {
            "summary": "A stored file's bytes (seed 001)",
            "operationId": "downloadFile",
            "parameters": [
              {
                "$ref": "#/components/parameters/Id"
              }
            ],
            "responses": {
              "200": {
                "description": "The bytes, with their sniffed Content-Type and a Content-Disposition naming the file",
                "content": {
                  "*/*": {
                    "schema": {
                      "type": "string",
                      "format": "binary"
                    }
                  }
                }
              },
              "206": {
                "$ref": "#/components/responses/PartialContent"
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "416": {
                "$ref": "#/components/responses/RangeNotSatisfiable"
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              },
              "409": {
                "$ref": "#/components/responses/Conflict"
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        },
        "/pets": {
          "get": {
            "summary": "Pets, by offset (seed 004)",
            "operationId": "listPets",
            "parameters": [
              {
                "name": "limit",
                "in": "query",
                "required": false,
                "schema": {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 100,
                  "default": 20
                }
              },
              {
                "name": "offset",
                "in": "query",
                "required": false,
                "schema": {
                  "type": "integer",
                  "minimum": 0,
                  "default": 0
                }
              },
              {
                "name": "has_photos",
                "in": "query",
                "required": false,
                "schema": {
                  "type": "string",
                  "enum": [
                    "true",
                    "false"
                  ]
                }
              }
            ],
            "responses": {
              "200": {
                "description": "count: every pet the filter matches; items: this page",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "required": [
                        "count",
                        "items"
                      ],
                      "properties": {
                        "count": {
                          "type": "integer",
                          "minimum": 0
                        },
                        "items": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/Pet"
                          }
                        }
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "422": {
                "$ref": "#/components/responses/InvalidQuery"
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        },
        "/pets/{id}": {
          "get": {
            "summary": "One pet (seed 004)",
            "operationId": "getPet",
            "parameters": [
              {
                "$ref": "#/components/parameters/Id"
              }
            ],
            "responses": {
              "200": {
                "description": "The pet",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Pet"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        },
        "/tasks": {
          "get": {
            "summary": "Image tasks in the order they were made, a keyset page at a time (seed 001)",
            "operationId": "listTasks",
            "parameters": [
              {
                "$ref": "#/components/parameters/PerPage"
              },
              {
                "$ref": "#/components/parameters/ShowAfterId"
              }
            ],
            "responses": {
              "200": {
                "description": "A page of tasks",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "required": [
                        "tasks"
                      ],
                      "properties": {
                        "tasks": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/Task"
                          }
                        }
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              },
              "422": {
                "$ref": "#/components/responses/InvalidQuery"
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        },
        "/task/{id}": {
          "get": {
            "summary": "One image task (seed 001)",
            "operationId": "getTask",
            "parameters": [
              {
                "$ref": "#/components/parameters/Id"
              }
            ],
            "responses": {
              "200": {
                "description": "The task",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Task"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        },
        "/status/{id}": {
          "get": {
            "summary": "An image task's status (seed 003)",
            "operationId": "getTaskStatus",
            "parameters": [
              {
                "$ref": "#/components/parameters/Id"
              }
            ],
            "responses": {
              "200": {
                "description": "in_progress while pending or processing; ready once finished; error with the reason",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "required": [
                        "status"
                      ],
                      "properties": {
                        "status": {
                          "type": "string",
                          "enum": [
                            "in_progress",
                            "ready",
                            "error"
                          ]
                        },
                        "error": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        },
        "/result/{id}": {
          "get": {
            "summary": "A finished image task's result (seed 003)",
            "operationId": "getTaskResult",
            "parameters": [
              {
                "$ref": "#/components/parameters/Id"
              }
            ],
            "responses": {
              "200": {
                "description": "The result image",
                "content": {
                  "image/*": {
                    "schema": {
                      "type": "string",
                      "format": "binary"
                    }
                  }
                }
              },
              "206": {
                "$ref": "#/components/responses/PartialContent"
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "416": {
                "$ref": "#/components/responses/RangeNotSatisfiable"
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              },
              "409": {
                "$ref": "#/components/responses/Conflict"
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        },
        "/receipts/{name}": {
          "get": {
            "summary": "The receipt of the drop named name (SPEC §4)",
            "operationId": "getReceipt",
            "parameters": [
              {
                "name": "name",
                "in": "path",
                "required": true,
                "schema": {
                  "type": "string"
                }
              }
            ],
            "responses": {
              "200": {
                "description": "The receipt",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Receipt"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "404": {
                "$ref": "#/components/responses/NotFound"
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "206": {
                "description": "One byte range",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "416": {
                "$ref": "#/components/responses/RangeNotSatisfiable"
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        },
        "/metrics": {
          "get": {
            "summary": "Prometheus metrics: drops, files and tasks by status, queue depth, bytes downloaded, this reader's requests and latency",
            "operationId": "metrics",
            "responses": {
              "200": {
                "description": "Prometheus text exposition 0.0.4",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        },
        "/openapi.json": {
          "get": {
            "summary": "This document",
            "operationId": "openapi",
            "responses": {
              "200": {
                "description": "OpenAPI 3.0",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Unauthorized"
              },
              "304": {
                "$ref": "#/components/responses/NotModified"
              },
              "503": {
                "$ref": "#/components/responses/Unavailable"
              }
            }
          }
        }
      },
      "components": {
        "securitySchemes": {
          "ApiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-KEY"
          }
        },
        "parameters": {
          "Id": {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          "PerPage": {
            "name": "per_page",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 100,
              "default": 20
            }
          },
          "ShowAfterId": {
            "name": "show_after_id",
            "in": "query",
            "required": false,
            "description": "The last id of the previous page; 404 when no object has it (deleted since?)",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        },
        "responses": {
          "Unauthorized": {
            "description": "An API key is set and X-API-KEY is missing or wrong",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "NotFound": {
            "description": "No such object",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "Conflict": {
            "description": "Not ready yet (or ended in error)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "InvalidQuery": {
            "description": "A query parameter is out of range or unknown (seed 000's error shape)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ValidationError"
                }
              }
            }
          },
          "NotModified": {
            "description": "Not modified: the request's If-None-Match (or If-Modified-Since) matches"
          },
          "PartialContent": {
            "description": "One byte range of the stored bytes (Range: bytes=first-last, first-, -suffix)",
            "content": {
              "*/*": {
                "schema": {
                  "type": "string",
                  "format": "binary"
                }
              }
            }
          },
          "Unavailable": {
            "description": "The catalogue cannot be read",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "RangeNotSatisfiable": {
            "description": "The range is past the end",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "schemas": {
          "Error": {
            "type": "object",
            "required": [
              "error"
            ],
            "properties": {
              "error": {
                "type": "string"
              }
            }
          },
          "ValidationError": {
            "type": "object",
            "required": [
              "description",
              "data",
              "errors"
            ],
            "properties": {
              "description": {
                "type": "string"
              },
              "data": {
                "description": "What was given"
              },
              "errors": {
                "type": "object",
                "additionalProperties": {
                  "type": "array",
                  "items": {
                    "type": "string"
                  }
                }
              }
            }
          },
          "File": {
            "type": "object",
            "required": [
              "id",
              "url",
              "name",
              "extension",
              "comment",
              "mime",
              "size",
              "added_at",
              "updated_at",
              "download_time",
              "status",
              "error"
            ],
            "properties": {
              "id": {
                "type": "string",
                "format": "uuid"
              },
              "url": {
                "type": "string",
                "nullable": true
              },
              "name": {
                "type": "string"
              },
              "extension": {
                "type": "string"
              },
              "comment": {
                "type": "string"
              },
              "mime": {
                "type": "string",
                "nullable": true
              },
              "size": {
                "type": "integer",
                "minimum": 0
              },
              "added_at": {
                "type": "string",
                "format": "date-time"
              },
              "updated_at": {
                "type": "string",
                "format": "date-time"
              },
              "download_time": {
                "type": "number",
                "nullable": true
              },
              "status": {
                "type": "string",
                "enum": [
                  "pending",
                  "downloading",
                  "ready",
                  "error"
                ]
              },
              "error": {
                "type": "string",
                "nullable": true
              }
            }
          },
          "Pet": {
            "type": "object",
            "required": [
              "id",
              "name",
              "age",
              "type",
              "photos",
              "created_at"
            ],
            "properties": {
              "id": {
                "type": "string",
                "format": "uuid"
              },
              "name": {
                "type": "string"
              },
              "age": {
                "type": "integer",
                "minimum": 0,
                "maximum": 100
              },
              "type": {
                "type": "string",
                "enum": [
                  "dog",
                  "cat"
                ]
              },
              "photos": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": [
                    "id",
                    "url"
                  ],
                  "properties": {
                    "id": {
                      "type": "string",
                      "format": "uuid"
                    },
                    "url": {
                      "type": "string"
                    }
                  }
                }
              },
              "created_at": {
                "type": "string",
                "format": "date-time"
              }
            }
          },
          "Task": {
            "type": "object",
            "required": [
              "id",
              "source_id",
              "result_id",
              "status",
              "algorithm",
              "params",
              "error",
              "created_at",
              "updated_at",
              "result_path"
            ],
            "properties": {
              "id": {
                "type": "string",
                "format": "uuid"
              },
              "source_id": {
                "type": "string",
                "format": "uuid"
              },
              "result_id": {
                "type": "string",
                "format": "uuid",
                "nullable": true
              },
              "status": {
                "type": "string",
                "enum": [
                  "pending",
                  "processing",
                  "finished",
                  "error"
                ]
              },
              "algorithm": {
                "type": "string"
              },
              "params": {
                "description": "The parameters as given (an object, or null)",
                "nullable": true
              },
              "error": {
                "type": "string",
                "nullable": true
              },
              "created_at": {
                "type": "string",
                "format": "date-time"
              },
              "updated_at": {
                "type": "string",
                "format": "date-time"
              },
              "result_path": {
                "type": "string",
                "nullable": true,
                "description": "The result image under outbox/ (results/<id><ext>)"
              }
            }
          },
          "Receipt": {
            "type": "object",
            "required": [
              "id",
              "request",
              "received_at",
              "finished_at"
            ],
            "properties": {
              "id": {
                "type": "string",
                "format": "uuid"
              },
              "request": {
                "type": "string"
              },
              "received_at": {
                "type": "string",
                "format": "date-time"
              },
              "finished_at": {
                "type": "string",
                "format": "date-time"
              },
              "status": {
                "type": "integer"
              },
              "body": {},
              "results": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": [
                    "status",
                    "body"
                  ],
                  "properties": {
                    "status": {
                      "type": "integer"
                    },
                    "body": {}
                  }
                }
              }
            }
          }
        }
      }
    }
    """#
}
